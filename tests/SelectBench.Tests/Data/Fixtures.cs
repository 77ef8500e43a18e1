using System.Buffers.Binary;
using Parquet;
using Parquet.Schema;
using SelectBench.Data;
using SkiaSharp;

namespace SelectBench.Tests.Data;

/// <summary>Tiny images and files built in code for reader tests.</summary>
internal static class Fixtures
{
    /// <summary>A C x H x W image filled with one colour per channel.</summary>
    public static byte[] Solid(int h, int w, byte r, byte g, byte b)
    {
        var px = new byte[3 * h * w];
        Array.Fill(px, r, 0, h * w);
        Array.Fill(px, g, h * w, h * w);
        Array.Fill(px, b, 2 * h * w, h * w);
        return px;
    }

    public static byte[] Png(int h, int w, byte r, byte g, byte b) => ImageCodec.Encode(Solid(h, w, r, g, b), 3, h, w);

    public static byte[] Jpeg(int h, int w, byte r, byte g, byte b) =>
        ImageCodec.Encode(Solid(h, w, r, g, b), 3, h, w, SKEncodedImageFormat.Jpeg, 100);

    /// <summary>
    /// A valid PNG header (signature + IHDR with correct CRC) declaring width x height RGB pixels, followed by a
    /// tiny IDAT and IEND: a decompression bomb's header without the bomb.
    /// </summary>
    public static byte[] PngHeaderDeclaring(int width, int height)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // colour type RGB
        Chunk(ms, "IHDR", ihdr);
        Chunk(ms, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        s.Write(crc);
    }

    /// <summary>Three tiny images, one solid colour each, as encoded PNGs with labels 0, 1, 1 (classes "red", "blue").</summary>
    public static readonly (string Class, byte[] Png)[] ThreeImages =
        [("red", Png(4, 4, 255, 0, 0)), ("blue", Png(4, 4, 0, 0, 255)), ("blue", Png(4, 4, 0, 0, 200))];

    /// <summary>An ImageFolder tree of <see cref="ThreeImages"/>: red/0.png, blue/1.png, blue/2.png.</summary>
    public static string WriteImageFolder(string root)
    {
        for (int i = 0; i < ThreeImages.Length; i++)
        {
            var (cls, png) = ThreeImages[i];
            Directory.CreateDirectory(Path.Combine(root, cls));
            File.WriteAllBytes(Path.Combine(root, cls, $"{i}.png"), png);
        }
        return root;
    }

    /// <summary>A parquet file of <see cref="ThreeImages"/>: a binary "image" column and an int64 "label" column (0, 1, 1).</summary>
    public static async Task<string> WriteParquet(string path)
    {
        var schema = new ParquetSchema(new DataField<byte[]>("image"), new DataField<long>("label"));
        var leaves = schema.GetDataFields();
        await using var fs = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, fs);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(leaves[0], ThreeImages.Select(x => x.Png).ToArray());
        await group.WriteAsync<long>(leaves[1], new long[] { 0, 1, 1 }.AsMemory());
        return path;
    }

    /// <summary>A CIFAR-10 binary folder holding only test_batch.bin with two records (labels 3 and 5) and the class names.</summary>
    public static string WriteCifar10Test(string folder)
    {
        Directory.CreateDirectory(folder);
        byte[] Record(byte label) => [label, .. Enumerable.Repeat((byte)(label * 10), 3 * 32 * 32)];
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), [.. Record(3), .. Record(5)]);
        File.WriteAllLines(Path.Combine(folder, "batches.meta.txt"),
            ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]);
        return folder;
    }

    /// <summary>CRC-32 (ISO-HDLC, polynomial 0xEDB88320) as the PNG spec defines it.</summary>
    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
