using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// An in-memory labelled image set: uint8 pixels in N x C x H x W order, one label per image, a label set,
/// per-sample ids and optional provenance. All images of a set share C, H and W. Immutable after creation
/// by convention: operations return new sets.
/// </summary>
public sealed class ImageSet
{
    public byte[] Pixels { get; }
    public int[] Labels { get; }
    public string[] Ids { get; }
    public SampleProvenance[]? Provenance { get; }
    public LabelSet LabelSet { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>
    /// The encoded files behind an out-of-core set, for loaders that decode and augment themselves; null when the
    /// pixels are in memory. docs/data.md "Out-of-core sets".
    /// </summary>
    public IEncodedImageSource? Encoded { get; init; }

    public int Count => Labels.Length;
    public int ImageSize => Channels * Height * Width;

    public ImageSet(byte[] pixels, int[] labels, LabelSet labelSet, int channels, int height, int width,
                    string[]? ids = null, SampleProvenance[]? provenance = null)
    {
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"image shape {channels}x{height}x{width} must be positive");
        long expected = (long)labels.Length * channels * height * width;
        if (pixels.LongLength != expected)
            throw new ArgumentException($"{labels.Length} images of {channels}x{height}x{width} need {expected} bytes, got {pixels.LongLength}");
        ids ??= Enumerable.Range(0, labels.Length).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (ids.Length != labels.Length) throw new ArgumentException($"{labels.Length} labels but {ids.Length} ids");
        if (provenance != null && provenance.Length != labels.Length)
            throw new ArgumentException($"{labels.Length} labels but {provenance.Length} provenance records");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)labelSet.Count)
                throw new BadInputException(ids[i], $"label {labels[i]} is outside the label set (0..{labelSet.Count - 1}).");
        Pixels = pixels;
        Labels = labels;
        Ids = ids;
        Provenance = provenance;
        LabelSet = labelSet;
        Channels = channels;
        Height = height;
        Width = width;
    }

    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * ImageSize, ImageSize);

    /// <summary>Images per class, indexed by class.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[LabelSet.Count];
        foreach (var l in Labels) counts[l]++;
        return counts;
    }

    /// <summary>A new set holding the given samples in the given order.</summary>
    public ImageSet Select(IReadOnlyList<int> indices)
    {
        int size = ImageSize;
        var pixels = new byte[(long)indices.Count * size];
        var labels = new int[indices.Count];
        var ids = new string[indices.Count];
        var prov = Provenance == null ? null : new SampleProvenance[indices.Count];
        for (int k = 0; k < indices.Count; k++)
        {
            int i = indices[k];
            Buffer.BlockCopy(Pixels, i * size, pixels, k * size, size);
            labels[k] = Labels[i];
            ids[k] = Ids[i];
            if (prov != null) prov[k] = Provenance![i];
        }
        return new ImageSet(pixels, labels, LabelSet, Channels, Height, Width, ids, prov);
    }

    public ImageSet WithLabels(int[] labels) => new(Pixels, labels, LabelSet, Channels, Height, Width, Ids, Provenance);

    /// <summary>
    /// The same images labelled in <paramref name="target"/>, matching classes by name or id (a set of 200
    /// ImageNet-R classes onto the 1000 ImageNet classes). A class the target lacks is an error naming it.
    /// </summary>
    public ImageSet MapLabelsInto(LabelSet target, string where)
    {
        if (LabelSet.SameAs(target)) return this;
        var map = new int[LabelSet.Count];
        var unknown = new List<string>();
        for (int c = 0; c < map.Length; c++)
        {
            map[c] = target.IndexOf(LabelSet.Ids[c]);
            if (map[c] < 0) map[c] = target.IndexOf(LabelSet.Names[c]);
            if (map[c] < 0) unknown.Add(LabelSet.Names[c]);
        }
        if (unknown.Count > 0)
            throw new Common.BadInputException(where,
                $"has classes the label set lacks: {string.Join(", ", unknown.Take(10))}{(unknown.Count > 10 ? $" and {unknown.Count - 10} more" : "")}. " +
                $"Rename its class folders to names of the label set ({string.Join(", ", target.Names.Take(5))}, ...).");
        var labels = new int[Count];
        for (int i = 0; i < labels.Length; i++) labels[i] = map[Labels[i]];
        return new ImageSet(Pixels, labels, target, Channels, Height, Width, Ids, Provenance);
    }

    public ImageSet WithProvenance(SampleProvenance[] provenance) =>
        new(Pixels, Labels, LabelSet, Channels, Height, Width, Ids, provenance);

    /// <summary>Concatenates sets of the same shape and label set.</summary>
    public static ImageSet Concat(IReadOnlyList<ImageSet> sets)
    {
        if (sets.Count == 0) throw new ArgumentException("nothing to concatenate");
        var first = sets[0];
        foreach (var s in sets)
        {
            if (s.Channels != first.Channels || s.Height != first.Height || s.Width != first.Width)
                throw new SelectBenchException($"Cannot concatenate image sets of shapes {first.Channels}x{first.Height}x{first.Width} and {s.Channels}x{s.Height}x{s.Width}.");
            if (!s.LabelSet.SameAs(first.LabelSet))
                throw new SelectBenchException("Cannot concatenate image sets with different label sets.");
        }
        var pixels = new byte[sets.Sum(s => s.Pixels.LongLength)];
        long at = 0;
        foreach (var s in sets) { Buffer.BlockCopy(s.Pixels, 0, pixels, (int)at, s.Pixels.Length); at += s.Pixels.LongLength; }
        bool prov = sets.All(s => s.Provenance != null);
        return new ImageSet(pixels, sets.SelectMany(s => s.Labels).ToArray(), first.LabelSet,
            first.Channels, first.Height, first.Width, sets.SelectMany(s => s.Ids).ToArray(),
            prov ? sets.SelectMany(s => s.Provenance!).ToArray() : null);
    }
}
