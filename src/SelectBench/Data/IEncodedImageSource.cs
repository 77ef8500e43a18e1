namespace SelectBench.Data;

/// <summary>
/// Random access to the encoded files (JPEG, PNG or WebP) behind an out-of-core <see cref="ImageSet"/>: what the
/// parallel training loader decodes and augments itself (decode at reduced size, random-resized-crop, flip), instead
/// of the set's fixed-size pixels. Index i is the set's sample i. Safe to call from several threads at once.
/// docs/data.md "Out-of-core sets".
/// </summary>
public interface IEncodedImageSource
{
    /// <summary>How many images; equal to the set's <see cref="ImageSet.Count"/>.</summary>
    int Count { get; }

    /// <summary>The encoded bytes of image <paramref name="index"/>. The memory stays valid after the call.</summary>
    ReadOnlyMemory<byte> Encoded(int index);

    /// <summary>Where image <paramref name="index"/> comes from (shard file and member), for error messages.</summary>
    string Describe(int index);
}
