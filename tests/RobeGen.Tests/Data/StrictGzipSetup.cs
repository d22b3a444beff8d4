using System.Runtime.CompilerServices;

namespace RobeGen.Tests.Data;

/// <summary>
/// Turns on the runtime's gzip truncation detection before any test decompresses anything: the runtime reads the
/// switch once, and tests (unlike a typical application) use GZipStream before the library's first reader does.
/// The library's own fallback (the trailer check) is exercised explicitly by the tests that force it.
/// </summary>
internal static class StrictGzipSetup
{
    [ModuleInitializer]
    internal static void EnableStrictGzipValidation() =>
        AppContext.SetSwitch("System.IO.Compression.UseStrictValidation", true);
}
