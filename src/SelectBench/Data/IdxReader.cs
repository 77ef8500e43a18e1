using System.Buffers.Binary;
using System.IO.Compression;
using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// Reads the IDX format of the MNIST family (MNIST, Fashion-MNIST, KMNIST, EMNIST), gzip-compressed or plain.
/// Format (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"): a big-endian magic of two zero bytes, a type
/// byte (0x08 = unsigned byte) and the number of dimensions; then one big-endian int32 per dimension; then
/// the data in C order. Image files have 3 dimensions (N, rows, cols), label files 1 (N).
/// Every deviation (wrong magic, wrong type, impossible dims, short or long data, broken gzip) is a
/// <see cref="BadInputException"/> that names the file.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByteType = 0x08;
    private const long MaxElements = 1L << 31; // fits a .NET array

    /// <summary>Raw IDX array: dimensions and uint8 data.</summary>
    public sealed record IdxArray(int[] Dimensions, byte[] Data);

    public static IdxArray Read(string path)
    {
        if (!File.Exists(path)) throw new BadInputException(path, "file not found.");
        try
        {
            using var file = File.OpenRead(path);
            using var stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            var result = ReadIdx(stream, path);
            // A longer file means a wrong dimension header or two files concatenated: both wrong data.
            if (stream.ReadByte() != -1)
                throw new BadInputException(path, $"has data beyond the {string.Join("x", result.Dimensions)} values its header declares.");
            return result;
        }
        catch (InvalidDataException e)
        {
            throw new BadInputException(path, $"is not a valid gzip stream ({e.Message}); the file is corrupt or truncated. Delete it and get it again.", e);
        }
        catch (EndOfStreamException e)
        {
            throw new BadInputException(path, "ends early: the file is truncated. Delete it and get it again.", e);
        }
    }

    /// <summary>Reads an image file (N x rows x cols) and its label file (N) into an image set of 1 x rows x cols.</summary>
    /// <param name="labelSet">Labels must be indices into it; null gives classes "0".."max".</param>
    /// <param name="idPrefix">Ids are "{idPrefix}/{index:D5}", e.g. "train/00042".</param>
    /// <param name="badInput">Under a Skip policy, images whose label is outside the label set are left out and recorded; null fails on them.</param>
    public static ImageSet ReadPair(string imagesPath, string labelsPath, LabelSet? labelSet, string idPrefix, BadInputLog? badInput = null) =>
        ToImageSet(Read(imagesPath), Read(labelsPath), imagesPath, labelsPath, labelSet, idPrefix, badInput);

    internal static ImageSet ToImageSet(IdxArray images, IdxArray labels, string imagesPath, string labelsPath,
                                        LabelSet? labelSet, string idPrefix, BadInputLog? badInput)
    {
        if (images.Dimensions.Length != 3)
            throw new BadInputException(imagesPath, $"has {images.Dimensions.Length} dimensions; an IDX image file has 3 (count, rows, cols).");
        if (labels.Dimensions.Length != 1)
            throw new BadInputException(labelsPath, $"has {labels.Dimensions.Length} dimensions; an IDX label file has 1 (count).");
        if (images.Dimensions[1] < 1 || images.Dimensions[2] < 1)
            throw new BadInputException(imagesPath, $"declares {images.Dimensions[1]}x{images.Dimensions[2]} images; rows and cols must be at least 1. The header is damaged.");
        int n = images.Dimensions[0];
        if (labels.Dimensions[0] != n)
            throw new BadInputException(labelsPath, $"holds {labels.Dimensions[0]} labels but {Path.GetFileName(imagesPath)} holds {n} images; the files do not belong together.");
        var label = new int[n];
        int max = 0;
        for (int i = 0; i < n; i++) { label[i] = labels.Data[i]; max = Math.Max(max, label[i]); }
        labelSet ??= new LabelSet(Enumerable.Range(0, max + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        var ids = new string[n];
        for (int i = 0; i < n; i++) ids[i] = $"{idPrefix}/{i:D5}";
        var keep = new List<int>(n);
        for (int i = 0; i < n; i++)
        {
            if (label[i] < labelSet.Count) { keep.Add(i); continue; }
            var item = $"{labelsPath}[{i}]";
            var reason = $"label {label[i]} is outside the label set of {labelSet.Count} classes.";
            if (badInput == null) throw new BadInputException(item, reason);
            badInput.Report(item, reason);
        }
        if (keep.Count == n)
            return new ImageSet(images.Data, label, labelSet, 1, images.Dimensions[1], images.Dimensions[2], ids);
        // Rebuild from the kept rows only; the bad labels never enter an ImageSet (its constructor rejects them).
        int size = images.Dimensions[1] * images.Dimensions[2];
        var pixels = new byte[(long)keep.Count * size];
        for (int k = 0; k < keep.Count; k++) Buffer.BlockCopy(images.Data, keep[k] * size, pixels, k * size, size);
        return new ImageSet(pixels, keep.Select(i => label[i]).ToArray(), labelSet, 1, images.Dimensions[1], images.Dimensions[2],
                            keep.Select(i => ids[i]).ToArray());
    }

    /// <summary>SHA-256 (lower-case hex) of the decompressed IDX file: header then data.</summary>
    public static string ContentSha256(IdxArray array)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var header = new byte[4 + 4 * array.Dimensions.Length];
        header[2] = UnsignedByteType;
        header[3] = (byte)array.Dimensions.Length;
        for (int d = 0; d < array.Dimensions.Length; d++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * d), array.Dimensions[d]);
        hash.AppendData(header);
        hash.AppendData(array.Data);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int read = file.Read(head);
        file.Position = 0;
        return read == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    private static IdxArray ReadIdx(Stream stream, string path)
    {
        Span<byte> magic = stackalloc byte[4];
        stream.ReadExactly(magic);
        if (magic[0] != 0 || magic[1] != 0)
            throw new BadInputException(path, $"is not an IDX file (magic {Convert.ToHexString(magic)}; expected 0000 then type and rank).");
        if (magic[2] != UnsignedByteType)
            throw new BadInputException(path, $"has IDX data type 0x{magic[2]:X2}; only unsigned bytes (0x08) are supported.");
        int rank = magic[3];
        if (rank is < 1 or > 4) throw new BadInputException(path, $"declares {rank} dimensions; expected 1 to 4.");
        var dims = new int[rank];
        Span<byte> dimBytes = stackalloc byte[4];
        long total = 1;
        for (int d = 0; d < rank; d++)
        {
            stream.ReadExactly(dimBytes);
            int size = BinaryPrimitives.ReadInt32BigEndian(dimBytes);
            if (size < 0) throw new BadInputException(path, $"declares a negative size {size} for dimension {d}.");
            dims[d] = size;
            total *= size;
            if (total >= MaxElements) throw new BadInputException(path, $"declares {string.Join("x", dims.Take(d + 1))} values, more than SelectBench reads from one IDX file.");
        }
        return new IdxArray(dims, ReadData(stream, total));
    }

    /// <summary>
    /// The <paramref name="total"/> data bytes, allocated only as they arrive: a damaged header may declare 2 GB in a
    /// file of 100 bytes (found by FuzzTests), and a truncated file must not cost the memory its header claims.
    /// </summary>
    private static byte[] ReadData(Stream stream, long total)
    {
        if (stream is FileStream file)
        {
            if (total > file.Length - file.Position) throw new EndOfStreamException();
            var all = new byte[total];
            stream.ReadExactly(all);
            return all;
        }
        const int Chunk = 1 << 20;
        var data = new byte[Math.Min(total, Chunk)];
        long filled = 0;
        while (filled < total)
        {
            if (filled == data.Length) Array.Resize(ref data, (int)Math.Min(total, 2L * data.Length));
            int read = stream.Read(data, (int)filled, (int)Math.Min(data.Length - filled, Chunk));
            if (read == 0) throw new EndOfStreamException();
            filled += read;
        }
        return data;
    }
}
