namespace RobeGen.Generators;

/// <summary>
/// Test seam of one generator instance (<see cref="DlrmGenerator(FaultInjection)"/>): the parser or the emitter throws
/// for the named class only, so a test can check that the failure becomes an RG9999 diagnostic instead of a crash.
/// The generator the compiler loads has none.
/// </summary>
internal sealed class FaultInjection
{
    public string? ParseFailureClass { get; init; }
    public string? EmitFailureClass { get; init; }

    public void BeforeParse(string className) => ThrowIf(ParseFailureClass, className, "parser");

    public void BeforeEmit(string className) => ThrowIf(EmitFailureClass, className, "emitter");

    private static void ThrowIf(string? faultyClass, string className, string stage)
    {
        if (faultyClass is not null && faultyClass == className)
            throw new System.InvalidOperationException("fault injected into the " + stage + " by a test");
    }
}
