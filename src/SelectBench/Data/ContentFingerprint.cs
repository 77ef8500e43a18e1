using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// The one definition of "the same data": SHA-256 (64 lower-case hex digits) over what defines an image set,
/// a file, or a whole made of named parts (a world, a shift). Two leaderboards that show the same world and
/// shift fingerprints were computed from the same bytes, whichever machine built them; two that differ were not.
/// <para>An image set is hashed in this canonical order (every integer little-endian int32, every string as its
/// UTF-8 length then bytes, so ("ab","c") and ("a","bc") differ):</para>
/// <list type="number">
/// <item>count, channels, height, width;</item>
/// <item>each sample id, in sample order;</item>
/// <item>the pixels, N x C x H x W bytes in sample order (an out-of-core set: "store:" + the store's fingerprint,
/// decode transform and pixel cap as a string, then the selected store indices as int32s);</item>
/// <item>(content only) the number of classes, each class's name and id in label-set order, then each sample's label.</item>
/// </list>
/// Sample order is part of the content (training shuffles by index, search breaks ties by index). Provenance
/// is not: it holds build-time measurements such as similarities, and the hidden truth used only by audits.
/// <see cref="OfImages"/> stops after step 3: embeddings depend on the pixels, not on the labels, so an
/// embedding cache keys on it (<c>Encoders.ImageSetFingerprint</c>).
/// </summary>
public static class ContentFingerprint
{
    /// <summary>Hex digits shown where a fingerprint must fit a line (48 bits: a collision among a team's worlds is not a worry).</summary>
    public const int ShortLength = 12;

    /// <summary>Images, ids, labels and the label set (steps 1-4).</summary>
    public static string Of(ImageSet images) => Hash(images, withLabels: true);

    /// <summary>Images and ids only (steps 1-3).</summary>
    public static string OfImages(ImageSet images) => Hash(images, withLabels: false);

    /// <summary>SHA-256 of a file's bytes (generator weights, crowd votes: files SelectBench writes in a fixed format).</summary>
    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// The fingerprint of a whole made of named members: SHA-256 over "selectbench-&lt;kind&gt;-v1\n" then one line
    /// "&lt;name&gt; &lt;fingerprint&gt;\n" per member in ordinal name order, so the order members were built in does
    /// not matter.
    /// </summary>
    public static string Combine(string kind, IEnumerable<KeyValuePair<string, string>> members)
    {
        var text = new StringBuilder($"selectbench-{kind}-v1\n");
        foreach (var (name, fingerprint) in members.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (name.Contains('\n') || fingerprint.Contains('\n'))
                throw new ArgumentException($"fingerprint member '{name.ReplaceLineEndings(" ")}' must be one line");
            text.Append(name).Append(' ').Append(fingerprint).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The first <see cref="ShortLength"/> hex digits, for headers and console lines.</summary>
    public static string Short(string fingerprint) => fingerprint.Length > ShortLength ? fingerprint[..ShortLength] : fingerprint;

    private static string Hash(ImageSet images, bool withLabels)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(header, images.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], images.Channels);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], images.Height);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], images.Width);
        hash.AppendData(header);
        foreach (var id in images.Ids) AppendString(hash, id);
        if (images.Stored is { } stored)
        {
            // An out-of-core set hashes what defines its pixels instead of decoding them all: the store (its
            // manifest's SHA-256 covers every shard), the decode transform and the selection of the store's images.
            AppendString(hash, "store:" + stored.Store.Fingerprint + ":" + stored.Transform.Key + ":" + stored.MaxImagePixels);
            hash.AppendData(MemoryMarshal.AsBytes(stored.Indices.AsSpan()));
        }
        else hash.AppendData(images.Pixels);
        if (withLabels)
        {
            AppendInt(hash, images.LabelSet.Count);
            for (int c = 0; c < images.LabelSet.Count; c++)
            {
                AppendString(hash, images.LabelSet.Names[c]);
                AppendString(hash, images.LabelSet.Ids[c]);
            }
            hash.AppendData(MemoryMarshal.AsBytes(images.Labels.AsSpan()));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void AppendInt(IncrementalHash hash, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        hash.AppendData(bytes);
    }

    private static void AppendString(IncrementalHash hash, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        AppendInt(hash, bytes.Length);
        hash.AppendData(bytes);
    }
}
