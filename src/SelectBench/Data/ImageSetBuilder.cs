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

    public int Count => _labels.Count;

    public void AddBatch(IReadOnlyList<EncodedSample> batch)
    {
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
            }
            catch (BadInputException e) { errors[i] = e; }
        });
        for (int i = 0; i < batch.Count; i++)
        {
            if (errors[i] is { } error) { log.Report(error); continue; }
            var image = decoded[i]!;
            var shape = (image.Channels, image.Height, image.Width);
            _shape ??= shape;
            if (_shape != shape)
            {
                log.Report(batch[i].Item, $"is {image.Width}x{image.Height} but earlier images are {_shape.Value.W}x{_shape.Value.H}; " +
                                          "choose a resize (e.g. --resize 32 or --resize-crop 256,224) so all images share one size.");
                continue;
            }
            _pixels.Add(image.Pixels);
            _labels.Add(batch[i].Label);
            _ids.Add(batch[i].Id);
        }
    }

    /// <summary>Maps every label through <paramref name="map"/> (provisional label to final class index).</summary>
    public void Relabel(IReadOnlyList<int> map)
    {
        for (int i = 0; i < _labels.Count; i++) _labels[i] = map[_labels[i]];
    }

    public ImageSet Build(LabelSet labelSet, string source)
    {
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
