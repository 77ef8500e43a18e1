using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>One encoded sample before decoding: the item name for errors, its id, its label, and its bytes.</summary>
/// <param name="Item">What an error names: a file path, "shard.tar:member", "file.parquet[row]".</param>
/// <param name="Load">Returns the encoded bytes (read lazily so folders decode in parallel without holding every file).</param>
internal sealed record EncodedSample(string Item, string Id, int Label, Func<byte[]> Load);

/// <summary>
/// Decodes batches of encoded samples in parallel (order preserved) and assembles one <see cref="ImageSet"/>.
/// Bad samples go through the <see cref="BadInputLog"/>. With <see cref="ResizeMode.None"/> the first good
/// image fixes the shape and a differently sized image is a bad input that says to choose a resize.
/// </summary>
internal sealed class ImageSetBuilder(DataLoadOptions options, BadInputLog log)
{
    private readonly ImageTransform _transform = options.EffectiveTransform;
    private readonly List<byte[]> _pixels = [];
    private readonly List<int> _labels = [];
    private readonly List<string> _ids = [];
    private (int C, int H, int W)? _shape;
    private bool _dropPixels;

    public int Count => _labels.Count;

    /// <summary>Decoded bytes held so far.</summary>
    public long HeldBytes => _dropPixels || _shape is not { } s ? 0 : (long)_labels.Count * s.C * s.H * s.W;

    /// <summary>Peak <see cref="HeldBytes"/>, for tests that check an import streams.</summary>
    public long PeakHeldBytes { get; private set; }

    /// <summary>
    /// Stops holding decoded pixels (the set goes out-of-core): what was held is released and later batches are
    /// decoded only to check them, so bad inputs are found at import exactly as for an in-memory set.
    /// </summary>
    public void DropPixels()
    {
        _dropPixels = true;
        _pixels.Clear();
        _pixels.TrimExcess();
    }

    public bool HoldsPixels => !_dropPixels;

    /// <summary>
    /// Decodes a batch. <paramref name="prepare"/>, when given, runs on the worker threads for each image that decodes
    /// and its result is returned per batch item (null for items left out), e.g. the bytes an out-of-core store keeps.
    /// </summary>
    public byte[]?[] AddBatch(IReadOnlyList<EncodedSample> batch, Func<byte[], string, byte[]>? prepare = null)
    {
        var kept = new byte[]?[batch.Count];
        var decoded = new DecodedImage?[batch.Count];
        var errors = new BadInputException?[batch.Count];
        Parallel.For(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try
            {
                byte[] bytes;
                try { bytes = batch[i].Load(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new BadInputException(batch[i].Item, $"could not be read ({e.Message}).", e);
                }
                decoded[i] = ImageCodec.Decode(bytes, batch[i].Item, _transform, options.MaxImagePixels);
                if (prepare != null) kept[i] = prepare(bytes, batch[i].Item);
            }
            catch (BadInputException e) { errors[i] = e; }
        });
        for (int i = 0; i < batch.Count; i++)
        {
            if (errors[i] is { } error) { log.Report(error); kept[i] = null; continue; }
            var image = decoded[i]!;
            var shape = (image.Channels, image.Height, image.Width);
            _shape ??= shape;
            if (_shape != shape)
            {
                log.Report(batch[i].Item, $"is {image.Width}x{image.Height} but earlier images are {_shape.Value.W}x{_shape.Value.H}; " +
                                          "choose a resize (e.g. --resize 32 or --resize-crop 256,224) so all images share one size.");
                kept[i] = null;
                continue;
            }
            if (!_dropPixels) _pixels.Add(image.Pixels);
            _labels.Add(batch[i].Label);
            _ids.Add(batch[i].Id);
            decoded[i] = null;
        }
        PeakHeldBytes = Math.Max(PeakHeldBytes, HeldBytes);
        return kept;
    }

    /// <summary>The ids and labels of the images kept so far, in order (an out-of-core set's sample list).</summary>
    public (IReadOnlyList<string> Ids, IReadOnlyList<int> Labels) Kept => (_ids, _labels);

    /// <summary>The set's image shape once an image has decoded.</summary>
    public (int C, int H, int W)? Shape => _shape;

    /// <summary>Maps every label through <paramref name="map"/> (provisional label to final class index).</summary>
    public void Relabel(IReadOnlyList<int> map)
    {
        for (int i = 0; i < _labels.Count; i++) _labels[i] = map[_labels[i]];
    }

    public ImageSet Build(LabelSet labelSet, string source)
    {
        if (_dropPixels) throw new InvalidOperationException("the builder dropped its pixels; build the out-of-core set from the store");
        if (_shape is not { } shape || _labels.Count == 0)
            throw new SelectBenchException($"{source}: no readable images{(log.Skipped.Count > 0 ? $" ({log.Skipped.Count} skipped as bad input)" : "")}.");
        int size = shape.C * shape.H * shape.W;
        long total = (long)size * _labels.Count;
        if (total > Array.MaxLength)
            throw new SelectBenchException($"{source}: {_labels.Count} images of {shape.C}x{shape.H}x{shape.W} exceed one in-memory set ({total:N0} bytes); use a smaller resize or split the source.");
        var pixels = new byte[total];
        for (int i = 0; i < _pixels.Count; i++) Buffer.BlockCopy(_pixels[i], 0, pixels, i * size, size);
        return new ImageSet(pixels, _labels.ToArray(), labelSet, shape.C, shape.H, shape.W, _ids.ToArray());
    }
}
