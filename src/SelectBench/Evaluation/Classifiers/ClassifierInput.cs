using System.Globalization;
using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Evaluation.Classifiers;

/// <summary>
/// What a classifier takes as input, and the one check of an eval set against it (docs/data.md, "Refusals").
/// Images are fitted to a model by <see cref="Training.ImageTensors.Conform"/>: resized, and grey replicated
/// to colour or colour averaged to grey. A resize keeps the picture, so it is allowed and described in a note
/// the caller prints. A channel conversion changes what the model sees (a colour model scored on grey
/// replicas, or the reverse) and silently gave a score for a mismatched pairing (a 3x32x32 checkpoint
/// evaluated 1x8x8 IDX data), so it is refused unless the classifier is configured to convert.
/// </summary>
/// <param name="Channels">The channels the model takes; null = any (an ONNX model whose channel dimension is open takes the images' own).</param>
/// <param name="Height">The input height; null = any (the images' own).</param>
/// <param name="Width">The input width; null = any.</param>
/// <param name="ConvertsChannels">True when the classifier was explicitly configured to convert channels.</param>
/// <param name="ConversionHint">How to configure a conversion, for the refusal; null when the classifier has no such setting.</param>
public sealed record ClassifierInput(int? Channels, int? Height, int? Width, bool ConvertsChannels = false, string? ConversionHint = null)
{
    /// <summary>The input of a SelectBench checkpoint or an ONNX model; null for a classifier of another kind (it is not checked).</summary>
    public static ClassifierInput? Of(IImageClassifier classifier) => classifier switch
    {
        TorchSharpClassifier checkpoint => checkpoint.Input,
        OnnxClassifier onnx => onnx.Input,
        _ => null,
    };

    /// <summary>
    /// Checks <paramref name="images"/> against what <paramref name="classifier"/> takes: refuses a channel
    /// mismatch, and returns a note describing any resize or (configured) channel conversion, else null.
    /// </summary>
    /// <param name="set">Names the eval set in the refusal and the note, e.g. "base set 'fashion-mnist:test'".</param>
    public static string? Check(IImageClassifier? classifier, ImageSet? images, string set) =>
        classifier is null || images is null ? null : Of(classifier)?.Check(images, set, classifier.Name);

    /// <inheritdoc cref="Check(IImageClassifier?, ImageSet?, string)"/>
    public string? Check(ImageSet images, string set, string model)
    {
        var notes = new List<string>();
        if (Channels is { } channels && channels != images.Channels)
        {
            bool convertible = channels == 1 || images.Channels == 1; // what Conform can do: average to grey, copy grey
            if (!ConvertsChannels || !convertible)
                throw new SelectBenchException(
                    $"{set}: the images are {Describe(images.Channels, images.Height, images.Width)} but the model {model} takes " +
                    $"{Describe(channels, Height ?? images.Height, Width ?? images.Width)}; it is not scored on " +
                    $"{(channels == 1 ? "colour images averaged to grey" : images.Channels == 1 ? "grey images copied into colour channels" : "images of other channels")} unless asked to. " +
                    $"Evaluate it on {Kind(channels)} data{(ConversionHint is null || !convertible ? "" : $", or {ConversionHint}")}.");
            notes.Add(channels == 1
                ? $"colour is averaged to grey ({images.Channels} channels to 1)"
                : $"grey is copied into {channels} channels");
        }
        int height = Height ?? images.Height, width = Width ?? images.Width;
        if (height != images.Height || width != images.Width)
        {
            bool shrink = images.Height > height || images.Width > width; // Conform antialiases when it shrinks
            notes.Add($"images are resized from {images.Height}x{images.Width} to {height}x{width} (bilinear{(shrink ? ", antialiased" : "")})");
        }
        return notes.Count == 0 ? null : $"{set}: {string.Join("; ", notes)} for {model}.";
    }

    private static string Describe(int channels, int height, int width) =>
        string.Create(CultureInfo.InvariantCulture, $"{channels}x{height}x{width} ({Kind(channels)})");

    private static string Kind(int channels) => channels switch
    {
        1 => "grey",
        3 => "colour",
        _ => string.Create(CultureInfo.InvariantCulture, $"{channels}-channel"),
    };
}
