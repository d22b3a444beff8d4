namespace RobeGen.Generators;

/// <summary>
/// Test seam: the generator tests set a class name here to make the parser or the emitter throw for that class
/// only, and check that the failure becomes an RG9999 diagnostic instead of a crash. Null (off) otherwise.
/// </summary>
internal static class TestFaults
{
    public static volatile string? ParseFailureClass;
    public static volatile string? EmitFailureClass;

    public static void ThrowIf(string? faultyClass, string className, string stage)
    {
        if (faultyClass is not null && faultyClass == className)
            throw new System.InvalidOperationException("fault injected into the " + stage + " by a test");
    }
}
