using System.Text;

namespace SelectBench.Common;

/// <summary>
/// NumPy .npy format, version 1.0 (https://numpy.org/devdocs/reference/generated/numpy.lib.format.html):
/// magic, version, a little-endian header length, a Python-dict header padded to 64 bytes, raw C-order data.
/// Used to export features, probabilities and predictions so any number can be recomputed elsewhere.
/// </summary>
public static class Npy
{
    public static void Write(string path, ReadOnlySpan<float> data, params int[] shape) =>
        WriteRaw(path, "<f4", System.Runtime.InteropServices.MemoryMarshal.AsBytes(data), shape, data.Length);

    public static void Write(string path, ReadOnlySpan<double> data, params int[] shape) =>
        WriteRaw(path, "<f8", System.Runtime.InteropServices.MemoryMarshal.AsBytes(data), shape, data.Length);

    public static void Write(string path, ReadOnlySpan<int> data, params int[] shape) =>
        WriteRaw(path, "<i4", System.Runtime.InteropServices.MemoryMarshal.AsBytes(data), shape, data.Length);

    public static void Write(string path, ReadOnlySpan<long> data, params int[] shape) =>
        WriteRaw(path, "<i8", System.Runtime.InteropServices.MemoryMarshal.AsBytes(data), shape, data.Length);

    public static void Write(string path, ReadOnlySpan<byte> data, params int[] shape) =>
        WriteRaw(path, "|u1", data, shape, data.Length);

    private static void WriteRaw(string path, string descr, ReadOnlySpan<byte> bytes, int[] shape, int count)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        long expected = 1;
        foreach (var d in shape) expected *= d;
        if (shape.Length == 0) { shape = [count]; expected = count; }
        if (expected != count)
            throw new ArgumentException($"shape ({string.Join(",", shape)}) holds {expected} values but {count} were given");
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = 10 + header.Length + 1;
        int pad = (64 - total % 64) % 64;
        header = header + new string(' ', pad) + "\n";
        var headerBytes = Encoding.ASCII.GetBytes(header);
        var data = bytes.ToArray();
        AtomicFile.Write(path, s =>
        {
            s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
            s.Write(BitConverter.GetBytes((ushort)headerBytes.Length));
            s.Write(headerBytes);
            s.Write(data);
        });
    }

    /// <summary>Reads a little-endian float32 .npy written by <see cref="Write(string, ReadOnlySpan{float}, int[])"/> or NumPy.</summary>
    public static (float[] Data, int[] Shape) ReadFloat32(string path)
    {
        var (bytes, offset, shape, count) = ReadRaw(path, "<f4", "float32", 4);
        var data = new float[count];
        Buffer.BlockCopy(bytes, offset, data, 0, (int)(count * 4));
        return (data, shape);
    }

    /// <summary>Reads a little-endian float64 .npy written by <see cref="Write(string, ReadOnlySpan{double}, int[])"/> or NumPy.</summary>
    public static (double[] Data, int[] Shape) ReadFloat64(string path)
    {
        var (bytes, offset, shape, count) = ReadRaw(path, "<f8", "float64", 8);
        var data = new double[count];
        Buffer.BlockCopy(bytes, offset, data, 0, (int)(count * 8));
        return (data, shape);
    }

    /// <summary>Reads a little-endian int32 .npy written by <see cref="Write(string, ReadOnlySpan{int}, int[])"/> or NumPy.</summary>
    public static (int[] Data, int[] Shape) ReadInt32(string path)
    {
        var (bytes, offset, shape, count) = ReadRaw(path, "<i4", "int32", 4);
        var data = new int[count];
        Buffer.BlockCopy(bytes, offset, data, 0, (int)(count * 4));
        return (data, shape);
    }

    private static (byte[] Bytes, int Offset, int[] Shape, long Count) ReadRaw(string path, string descr, string typeName, int elementSize)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new BadInputException(path, "not a .npy file");
        int major = bytes[6];
        int headerLen = major == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int start = major == 1 ? 10 : 12;
        var header = Encoding.ASCII.GetString(bytes, start, headerLen);
        if (!header.Contains($"'{descr}'")) throw new BadInputException(path, $"expected dtype {typeName} ('{descr}')");
        if (header.Contains("'fortran_order': True")) throw new BadInputException(path, "Fortran order is not supported");
        var shapeText = header[(header.IndexOf("'shape': (", StringComparison.Ordinal) + 10)..];
        shapeText = shapeText[..shapeText.IndexOf(')')];
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        long n = shape.Aggregate(1L, (a, b) => a * b);
        int offset = start + headerLen;
        if (bytes.Length - offset < n * elementSize) throw new BadInputException(path, $"truncated: expected {n} {typeName} values");
        return (bytes, offset, shape, n);
    }
}
