namespace RobeGen.Data;

/// <summary>A named array of 64-bit ids, such as one column's vocabulary (index i + 1 is Ids[i]).</summary>
public sealed record NamedIds(string Name, ulong[] Ids);
