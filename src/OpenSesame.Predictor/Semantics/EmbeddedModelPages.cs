using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;

namespace OpenSesame.Predictor.Semantics;

/// <summary>
/// Gives back the resident memory of a model embedded in an assembly once the runtime that uses it has its own copy.
/// The sentence encoder's package reads its 87 MB ONNX model from an embedded resource, which the .NET runtime maps
/// from the assembly's file; ONNX Runtime copies the model into memory of its own, but the pages of the file that the
/// reading touched stay resident and count in the process's memory (and in a container's limit) for as long as the
/// process lives. On Linux those pages are dropped with <c>madvise(MADV_DONTNEED)</c>: being a private mapping of
/// an unchanged file, a later reading (a second encoder) faults them in again from the file, so nothing is lost. Only
/// whole pages inside the resource are dropped, and only when <c>/proc/self/maps</c> shows them mapped from the
/// assembly's file: memory that is not backed by the file (a single-file bundle read into memory) is left alone.
/// </summary>
internal static partial class EmbeddedModelPages
{
    private const int DontNeed = 4;

    /// <summary>Drops the resident pages of <paramref name="resource"/>; returns the bytes given back (0 when nothing
    /// could be: another system, no such resource, memory not mapped from the assembly's file).</summary>
    public static long Release(Assembly assembly, string resource)
    {
        if (!OperatingSystem.IsLinux() || string.IsNullOrEmpty(assembly.Location)
            || assembly.GetManifestResourceStream(resource) is not UnmanagedMemoryStream stream)
        {
            return 0;
        }

        using (stream)
        {
            var (start, end) = WholePages(AddressOf(stream), stream.Length, Environment.SystemPageSize);
            return end > start && MappedFrom(File.ReadLines("/proc/self/maps"), assembly.Location, start, end)
                                && Advise((nint)start, (nuint)(end - start), DontNeed) == 0
                ? end - start
                : 0;
        }
    }

    /// <summary>The pages that lie wholly inside <c>[address, address + length)</c>: a page the resource shares with
    /// other data of the image is kept.</summary>
    internal static (long Start, long End) WholePages(long address, long length, int pageSize) =>
        ((address + pageSize - 1) / pageSize * pageSize, (address + length) / pageSize * pageSize);

    /// <summary>Whether <c>[start, end)</c> lies inside mappings of <paramref name="file"/>, by lines in the format of
    /// <c>/proc/self/maps</c> ("start-end perms offset dev inode path").</summary>
    internal static bool MappedFrom(IEnumerable<string> maps, string file, long start, long end)
    {
        var covered = start;
        foreach (var line in maps)
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || !string.Equals(fields[5].Trim(), file, StringComparison.Ordinal))
            {
                continue;
            }

            var range = fields[0].Split('-');
            var (from, to) = (long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            if (from <= covered && to > covered)
            {
                covered = to;
            }

            if (covered >= end)
            {
                return true;
            }
        }

        return false;
    }

    private static unsafe long AddressOf(UnmanagedMemoryStream stream) => (long)stream.PositionPointer;

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Advise(nint address, nuint length, int advice);
}
