using System.Runtime.InteropServices;

namespace RobeGen.Cli.Files;

/// <summary>
/// Whether a path is a device or a FIFO rather than a regular file. .NET reports devices and FIFOs as "Normal" files that can seek, yet renaming a
/// temporary file over /dev/null would replace the device node, so outputs ask stat(2) (through the runtime's own
/// native shim, present wherever .NET runs on Unix) before choosing between an atomic rename and a direct write.
/// </summary>
internal static partial class FileKind
{
    private const int TypeMask = 0xF000, Regular = 0x8000;

    /// <summary>True for a device, FIFO or socket (after following links); false for a regular file, a directory or an absent path.</summary>
    public static bool IsSpecial(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return false;
        try
        {
            // The shim's FileStatus starts with int32 Flags, int32 Mode; 512 bytes is more than the whole struct.
            var status = new byte[512];
            if (Stat(path, status) != 0) return false;
            int mode = BitConverter.ToInt32(status, 4);
            return (mode & TypeMask) != Regular && (mode & TypeMask) != 0x4000; // neither a regular file nor a directory
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, byte[] status);
}
