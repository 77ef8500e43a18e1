using SelectBench.Common;

namespace SelectBench.Data.Sharded;

/// <summary>
/// The images of an out-of-core <see cref="ImageSet"/>: a selection of a <see cref="ShardedImageStore"/>'s images
/// (sample k is store image <see cref="Indices"/>[k]) and the transform that decodes each one to the set's fixed
/// size. Selecting or concatenating sets composes selections; no pixels are held. docs/data.md "Out-of-core sets".
/// </summary>
public sealed class StoreSelection : IEncodedImageSource
{
    public ShardedImageStore Store { get; }
    public int[] Indices { get; }
    public ImageTransform Transform { get; }
    public long MaxImagePixels { get; }

    public StoreSelection(ShardedImageStore store, int[] indices, ImageTransform transform, long maxImagePixels = DataLoadOptions.DefaultMaxImagePixels)
    {
        if (transform.Mode == ResizeMode.None)
            throw new SelectBenchException("An out-of-core set needs a resize (the images of a store may differ in size); give a resize or resize-crop.");
        foreach (var i in indices)
            if ((uint)i >= (uint)store.Count) throw new ArgumentOutOfRangeException(nameof(indices), $"store index {i} is outside 0..{store.Count - 1}");
        Store = store;
        Indices = indices;
        Transform = transform;
        MaxImagePixels = maxImagePixels;
    }

    /// <summary>
    /// timm's eval transform (timm.data.transforms_factory.transforms_imagenet_eval): resize the short side to
    /// floor(size / crop_pct), then center-crop size x size, with crop_pct 0.875 (timm's DEFAULT_CROP_PCT); at
    /// 224 px that is the classic resize 256 + center crop 224, at the paper's 192 px resize 219 + crop 192.
    /// </summary>
    public static ImageTransform EvalTransform(int size, int channels = 3, double cropPct = 0.875) =>
        ImageTransform.ResizeThenCenterCrop((int)Math.Floor(size / cropPct), size, channels);

    public int Count => Indices.Length;
    public ReadOnlyMemory<byte> Encoded(int index) => Store.Encoded(Indices[index]);
    public string Describe(int index) => Store.Describe(Indices[index]);

    /// <summary>Decodes sample <paramref name="index"/> into <paramref name="destination"/> (C x H x W uint8).</summary>
    public void Decode(int index, Span<byte> destination)
    {
        var image = ImageCodec.Decode(Encoded(index).Span, Describe(index), Transform, MaxImagePixels);
        if (image.Pixels.Length != destination.Length)
            throw new BadInputException(Describe(index), $"decodes to {image.Channels}x{image.Height}x{image.Width}, not the set's size.");
        image.Pixels.CopyTo(destination);
    }

    public StoreSelection Select(IReadOnlyList<int> samples)
    {
        var indices = new int[samples.Count];
        for (int k = 0; k < indices.Length; k++) indices[k] = Indices[samples[k]];
        return new StoreSelection(Store, indices, Transform, MaxImagePixels);
    }

    /// <summary>True when <paramref name="other"/> reads the same store with the same transform, so the two concatenate as one selection.</summary>
    public bool Compatible(StoreSelection other) =>
        ReferenceEquals(Store, other.Store) || (Store.Folder == other.Store.Folder && Store.Fingerprint == other.Store.Fingerprint)
        ? Transform == other.Transform && MaxImagePixels == other.MaxImagePixels
        : false;
}
