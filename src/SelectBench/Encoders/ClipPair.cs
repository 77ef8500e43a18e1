using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Embedding;
using SelectBench.Encoders.Text;

namespace SelectBench.Encoders;

/// <summary>
/// A CLIP image tower and text tower exported to ONNX, with CLIP's vocab.json and merges.txt: the
/// <c>encoders: clip:</c> section of a run config. The defaults fit towers exported from Hugging Face's
/// CLIPVisionModelWithProjection / CLIPTextModelWithProjection (inputs <c>pixel_values</c>, <c>input_ids</c>,
/// <c>attention_mask</c>; outputs <c>image_embeds</c>, <c>text_embeds</c>) at OpenAI CLIP's 224 px and 77 tokens.
/// </summary>
/// <param name="Image">ONNX image tower: float [batch, 3, image_size, image_size] in, [batch, D] out.</param>
/// <param name="Text">ONNX text tower: int64 token ids [batch, context_length] in, [batch, D] (or [batch, tokens, D]) out.</param>
/// <param name="Vocab">CLIP's vocab.json (token -> id, with &lt;|startoftext|&gt; and &lt;|endoftext|&gt;).</param>
/// <param name="Merges">CLIP's merges.txt (byte-pair merges, one per line).</param>
/// <param name="ImageSize">Side the images are resized to; the image tower's input size.</param>
/// <param name="ImageInputName">Image tower input; null takes the model's first input.</param>
/// <param name="ImageOutputName">Image tower output; null takes the model's first output.</param>
/// <param name="InputIdsName">Text tower's token-id input.</param>
/// <param name="AttentionMaskName">Text tower's attention-mask input; ignored when the model has none.</param>
/// <param name="TextOutputName">Text tower's output.</param>
/// <param name="ContextLength">Tokens per text (CLIP: 77).</param>
/// <param name="BatchSize">Images or texts per model call.</param>
public sealed record ClipPairSettings(
    string Image,
    string Text,
    string Vocab,
    string Merges,
    int ImageSize = 224,
    string? ImageInputName = null,
    string? ImageOutputName = null,
    string InputIdsName = "input_ids",
    string? AttentionMaskName = "attention_mask",
    string TextOutputName = "text_embeds",
    int ContextLength = 77,
    int BatchSize = 32) : ISettings
{
    public void Validate(string where)
    {
        RequireFile(where, "image", Image, "the ONNX CLIP image tower");
        RequireFile(where, "text", Text, "the ONNX CLIP text tower");
        RequireFile(where, "vocab", Vocab, "CLIP's vocab.json");
        RequireFile(where, "merges", Merges, "CLIP's merges.txt");
        SettingRules.Positive(where, "image_size", ImageSize);
        SettingRules.Positive(where, "batch_size", BatchSize);
        SettingRules.NotEmpty(where, "input_ids_name", InputIdsName);
        SettingRules.NotEmpty(where, "text_output_name", TextOutputName);
        // Start and end tokens need two places; a third holds at least one word.
        if (ContextLength < 3) throw new SelectBenchException($"{where}.context_length: {ContextLength} is not allowed; give at least 3 (CLIP uses 77).");
    }

    private static void RequireFile(string where, string field, string path, string what)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new SelectBenchException($"{where}.{field}: must not be empty; give the path of {what}.");
        if (!File.Exists(path)) throw new SelectBenchException($"{where}.{field}: file '{path}' not found; give the path of {what}.");
    }
}

/// <summary>
/// A CLIP model as two encoders into one embedding space: <see cref="Image"/> embeds images, <see cref="Text"/>
/// embeds prompts, and cosines between them are CLIP similarities (CLIPScore, CLIP-IQA, text queries).
/// Images are preprocessed as OpenAI CLIP does (openai/CLIP clip/clip.py, <c>_transform</c>): resized to
/// image_size, scaled to [0, 1] and normalised with <see cref="ClipStatistics"/>; grey images are replicated
/// to three channels. CLIP resizes the shorter side bicubically and centre-crops; SelectBench's images are
/// square, so the crop is the identity, and <see cref="OnnxImageEncoder"/> resizes bilinearly (half-pixel
/// centres), which moves embeddings slightly from a bicubic resize.
/// </summary>
public sealed class ClipPair : IDisposable
{
    public OnnxImageEncoder Image { get; }
    public OnnxClipTextEncoder Text { get; }
    public ClipPairSettings Settings { get; }
    public int Dimension => Image.Dimension;

    /// <param name="where">The config path of the settings, for error messages (e.g. "encoders.clip").</param>
    /// <param name="threads">ONNX Runtime threads per call of each tower.</param>
    public ClipPair(ClipPairSettings settings, string where = "encoders.clip", int threads = 1)
    {
        settings.Validate(where);
        Settings = settings;
        Image = new OnnxImageEncoder(new OnnxImageEncoderOptions(
            ModelPath: settings.Image, InputWidth: settings.ImageSize, InputHeight: settings.ImageSize,
            InputName: settings.ImageInputName, OutputName: settings.ImageOutputName,
            ChannelOrder: ChannelOrder.Rgb, Scale: PixelScale.Unit, Mean: ClipStatistics.Mean, Std: ClipStatistics.Std,
            Flatten: true, IntraOpThreads: threads, BatchSize: settings.BatchSize,
            // Its own name: the same file under "onnx:FILE" is normalised with ImageNet's statistics, and the
            // embedding cache must not mix the two.
            Name: $"clip-image-{Path.GetFileNameWithoutExtension(settings.Image)}-{OnnxImageEncoder.FileHash(settings.Image)}-{settings.ImageSize}px"));
        try
        {
            Text = new OnnxClipTextEncoder(settings.Text, settings.Vocab, settings.Merges, new ClipTextOptions(
                InputIdsName: settings.InputIdsName, AttentionMaskName: settings.AttentionMaskName,
                OutputName: settings.TextOutputName, ContextLength: settings.ContextLength,
                IntraOpThreads: threads, BatchSize: settings.BatchSize));
        }
        catch
        {
            Image.Dispose();
            throw;
        }
        if (Image.Dimension != Text.Dimension)
        {
            Dispose();
            throw new SelectBenchException(
                $"{where}: the image tower '{settings.Image}' gives {Image.Dimension}-d embeddings but the text tower '{settings.Text}' gives {Text.Dimension}-d; give the two towers of one CLIP model.");
        }
    }

    public Embeddings EncodeImages(ImageSet images) => Image.Encode(images);

    public Embeddings EncodeTexts(IReadOnlyList<string> texts) => Text.Encode(texts);

    public void Dispose()
    {
        Image.Dispose();
        Text.Dispose();
    }
}
