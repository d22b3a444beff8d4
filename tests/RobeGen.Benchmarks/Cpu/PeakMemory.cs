namespace RobeGen.Benchmarks.Cpu;

/// <summary>The process's peak resident set (VmHWM in /proc/self/status), linked into both benchmark processes.</summary>
internal static class PeakMemory
{
    /// <summary>Peak resident bytes of this process so far, or -1 where /proc is not available.</summary>
    public static long PeakResidentBytes()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return -1;
        foreach (string line in File.ReadLines(path))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        return -1;
    }
}
