using SelectBench.Common;
using SelectBench.Data.Sharded;

namespace SelectBench.Data;

/// <summary>
/// A labelled image set: uint8 pixels in N x C x H x W order, one label per image, a label set, per-sample ids and
/// optional provenance. All images of a set share C, H and W. Immutable after creation by convention: operations
/// return new sets. The pixels are either in memory (<see cref="Pixels"/>) or out-of-core: a selection of a
/// <see cref="ShardedImageStore"/> decoded on demand (<see cref="FromStore"/>; docs/data.md "Out-of-core sets").
/// <see cref="Image"/>, <see cref="CopyImage"/> and <see cref="CopyImages"/> work for both; Select, Concat,
/// WithLabels, MapLabelsInto and WithProvenance of an out-of-core set are views that copy no pixels.
/// </summary>
public sealed class ImageSet
{
    private readonly byte[]? _pixels;

    /// <summary>The selection of a store behind an out-of-core set; null when the pixels are in memory.</summary>
    public StoreSelection? Stored { get; }

    public bool IsInMemory => _pixels != null;

    /// <summary>All pixels, N x C x H x W. Only in-memory sets have them; an out-of-core set refuses, naming its store.</summary>
    public byte[] Pixels => _pixels ?? throw new SelectBenchException(
        $"This set of {Count:N0} images is out-of-core (store {Stored!.Store.Folder}): its pixels are decoded on demand and never held at once. " +
        "Read them with Image(i), CopyImage or CopyImages, or take a small Select(...).InMemory(). docs/data.md \"Out-of-core sets\".");
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
        : this(pixels, null, labels, labelSet, channels, height, width, ids, provenance)
    {
    }

    /// <summary>
    /// An out-of-core set over <paramref name="stored"/>: sample i is the store's image stored.Indices[i], decoded
    /// with stored.Transform (whose output size is the set's C x H x W).
    /// </summary>
    public ImageSet(StoreSelection stored, int[] labels, LabelSet labelSet, string[]? ids = null, SampleProvenance[]? provenance = null)
        : this(null, stored, labels, labelSet, stored.Transform.Channels, stored.Transform.Height, stored.Transform.Width, ids, provenance)
    {
        if (stored.Count != labels.Length) throw new ArgumentException($"{labels.Length} labels but {stored.Count} stored images");
        Encoded = stored;
    }

    /// <summary>
    /// All images of a store as an out-of-core set, decoded with <paramref name="transform"/> (for a classifier's
    /// eval view, <see cref="StoreSelection.EvalTransform"/>), with the store's labels and ids.
    /// </summary>
    public static ImageSet FromStore(ShardedImageStore store, ImageTransform transform, long maxImagePixels = DataLoadOptions.DefaultMaxImagePixels) =>
        new(new StoreSelection(store, Enumerable.Range(0, store.Count).ToArray(), transform, maxImagePixels),
            store.Labels.ToArray(), store.LabelSet, store.Ids.ToArray());

    private ImageSet(byte[]? pixels, StoreSelection? stored, int[] labels, LabelSet labelSet, int channels, int height, int width,
                     string[]? ids, SampleProvenance[]? provenance)
    {
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"image shape {channels}x{height}x{width} must be positive");
        long expected = (long)labels.Length * channels * height * width;
        if (pixels != null && pixels.LongLength != expected)
            throw new ArgumentException($"{labels.Length} images of {channels}x{height}x{width} need {expected} bytes, got {pixels.LongLength}");
        Stored = stored;
        ids ??= Enumerable.Range(0, labels.Length).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (ids.Length != labels.Length) throw new ArgumentException($"{labels.Length} labels but {ids.Length} ids");
        if (provenance != null && provenance.Length != labels.Length)
            throw new ArgumentException($"{labels.Length} labels but {provenance.Length} provenance records");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)labelSet.Count)
                throw new BadInputException(ids[i], $"label {labels[i]} is outside the label set (0..{labelSet.Count - 1}).");
        _pixels = pixels;
        Labels = labels;
        Ids = ids;
        Provenance = provenance;
        LabelSet = labelSet;
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>Image <paramref name="index"/>, C x H x W. For an out-of-core set each call decodes it afresh.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        if (_pixels != null) return _pixels.AsSpan(index * ImageSize, ImageSize);
        var image = new byte[ImageSize];
        Stored!.Decode(index, image);
        return image;
    }

    /// <summary>Copies image <paramref name="index"/> into <paramref name="destination"/> (<see cref="ImageSize"/> bytes).</summary>
    public void CopyImage(int index, Span<byte> destination)
    {
        if (destination.Length != ImageSize) throw new ArgumentException($"destination holds {destination.Length} bytes, an image {ImageSize}");
        if (_pixels != null) _pixels.AsSpan(index * ImageSize, ImageSize).CopyTo(destination);
        else Stored!.Decode(index, destination);
    }

    /// <summary>
    /// Copies the images <paramref name="indices"/> one after another into <paramref name="destination"/> from
    /// <paramref name="offset"/> on; an out-of-core set decodes them on all cores.
    /// </summary>
    public void CopyImages(IReadOnlyList<int> indices, byte[] destination, long offset = 0)
    {
        int size = ImageSize;
        if (offset < 0 || offset + (long)indices.Count * size > destination.LongLength)
            throw new ArgumentException($"{indices.Count} images of {size} bytes do not fit {destination.LongLength} bytes from {offset}");
        if (_pixels != null)
        {
            for (int k = 0; k < indices.Count; k++) Buffer.BlockCopy(_pixels, indices[k] * size, destination, checked((int)(offset + (long)k * size)), size);
            return;
        }
        var stored = Stored!;
        Parallel.For(0, indices.Count, k => stored.Decode(indices[k], destination.AsSpan(checked((int)(offset + (long)k * size)), size)));
    }

    /// <summary>The set with its pixels in memory: itself when they already are, else every image decoded (for small sets).</summary>
    public ImageSet InMemory()
    {
        if (_pixels != null) return this;
        long total = (long)Count * ImageSize;
        if (total > Array.MaxLength)
            throw new SelectBenchException($"{Count:N0} images of {Channels}x{Height}x{Width} ({total:N0} bytes) do not fit one in-memory set; keep the set out-of-core.");
        var pixels = new byte[total];
        CopyImages(Enumerable.Range(0, Count).ToArray(), pixels);
        return new ImageSet(pixels, Labels, LabelSet, Channels, Height, Width, Ids, Provenance);
    }

    /// <summary>A set with the same images as this one (in memory or the same store selection) and new labels, ids or provenance.</summary>
    private ImageSet With(int[] labels, LabelSet labelSet, string[] ids, SampleProvenance[]? provenance) =>
        _pixels != null ? new ImageSet(_pixels, labels, labelSet, Channels, Height, Width, ids, provenance)
                        : new ImageSet(Stored!, labels, labelSet, ids, provenance);

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
        if (_pixels == null)
        {
            var prov0 = Provenance == null ? null : new SampleProvenance[indices.Count];
            var labels0 = new int[indices.Count];
            var ids0 = new string[indices.Count];
            for (int k = 0; k < indices.Count; k++)
            {
                labels0[k] = Labels[indices[k]];
                ids0[k] = Ids[indices[k]];
                if (prov0 != null) prov0[k] = Provenance![indices[k]];
            }
            return new ImageSet(Stored!.Select(indices), labels0, LabelSet, ids0, prov0);
        }
        int size = ImageSize;
        var pixels = new byte[(long)indices.Count * size];
        var labels = new int[indices.Count];
        var ids = new string[indices.Count];
        var prov = Provenance == null ? null : new SampleProvenance[indices.Count];
        for (int k = 0; k < indices.Count; k++)
        {
            int i = indices[k];
            Buffer.BlockCopy(_pixels, i * size, pixels, k * size, size);
            labels[k] = Labels[i];
            ids[k] = Ids[i];
            if (prov != null) prov[k] = Provenance![i];
        }
        return new ImageSet(pixels, labels, LabelSet, Channels, Height, Width, ids, prov);
    }

    public ImageSet WithLabels(int[] labels) => With(labels, LabelSet, Ids, Provenance);

    /// <summary>The same images with new labels in another label set, and new ids (provenance is dropped).</summary>
    public ImageSet WithLabels(int[] labels, LabelSet labelSet, string[] ids) => With(labels, labelSet, ids, null);

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
        return With(labels, target, Ids, Provenance);
    }

    public ImageSet WithProvenance(SampleProvenance[] provenance) => With(Labels, LabelSet, Ids, provenance);

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
        bool prov = sets.All(s => s.Provenance != null);
        if (sets.Any(s => !s.IsInMemory))
        {
            // Out-of-core sets concatenate as one selection of their common store; nothing is decoded.
            var stored = sets[0].Stored;
            if (stored == null || sets.Any(s => s.Stored == null || !s.Stored.Compatible(stored)))
                throw new SelectBenchException(
                    "Cannot concatenate an out-of-core set with an in-memory set or with a set of another store or transform; " +
                    "import the parts into one store (docs/data.md \"Out-of-core sets\").");
            return new ImageSet(new StoreSelection(stored.Store, sets.SelectMany(s => s.Stored!.Indices).ToArray(), stored.Transform, stored.MaxImagePixels),
                sets.SelectMany(s => s.Labels).ToArray(), first.LabelSet, sets.SelectMany(s => s.Ids).ToArray(),
                prov ? sets.SelectMany(s => s.Provenance!).ToArray() : null);
        }
        var pixels = new byte[sets.Sum(s => s.Pixels.LongLength)];
        long at = 0;
        foreach (var s in sets) { Buffer.BlockCopy(s.Pixels, 0, pixels, (int)at, s.Pixels.Length); at += s.Pixels.LongLength; }
        return new ImageSet(pixels, sets.SelectMany(s => s.Labels).ToArray(), first.LabelSet,
            first.Channels, first.Height, first.Width, sets.SelectMany(s => s.Ids).ToArray(),
            prov ? sets.SelectMany(s => s.Provenance!).ToArray() : null);
    }
}
