using SelectBench.Engine;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Training;
using static TorchSharp.torch;

namespace SelectBench.Evaluation.Classifiers;

/// <summary>How to feed an ONNX classifier.</summary>
/// <param name="InputName">Graph input to feed; null = the model's first input.</param>
/// <param name="Channels">Input channels; null = from the model's input shape, else the images'.</param>
/// <param name="Height">Input height; null = from the model's input shape, else the images'.</param>
/// <param name="Width">Input width; null = from the model's input shape, else the images'.</param>
/// <param name="Mean">Per-channel mean subtracted from pixels in [0, 1]; null = 0.</param>
/// <param name="Std">Per-channel standard deviation divided out; null = 1.</param>
/// <param name="Output">"probabilities", "logits" (softmax applied), or "auto": rows that are non-negative
/// and sum to 1 are taken as probabilities, anything else as logits.</param>
/// <param name="BatchSize">Images per inference call (when the model's batch dimension is dynamic).</param>
/// <param name="ConvertChannels">Feed images whose channels differ from the model's: grey is copied into each colour
/// channel, colour is averaged to grey. Off, such a pairing is refused (<see cref="ClassifierInput"/>).</param>
public sealed record OnnxClassifierOptions(
    string? InputName = null,
    int? Channels = null,
    int? Height = null,
    int? Width = null,
    float[]? Mean = null,
    float[]? Std = null,
    string Output = "auto",
    int BatchSize = 64,
    bool ConvertChannels = false)
{
    /// <summary>torchvision's ImageNet normalisation at 224 x 224 (the paper's released ResNet-50 checkpoints).</summary>
    public static OnnxClassifierOptions ImageNet { get; } = new(
        Channels: 3, Height: 224, Width: 224, Mean: ImageNetStatistics.Mean, Std: ImageNetStatistics.Std);
}

/// <summary>
/// Any ONNX image classifier (run by ONNX Runtime) behind <see cref="IImageClassifier"/>, so models trained
/// elsewhere get the same eval suite (docs/metrics.md). Input: N x C x H x W float32. Images are resized
/// (and, with <see cref="OnnxClassifierOptions.ConvertChannels"/>, their channels replicated or averaged) to fit, then
/// normalised; <see cref="ClassifierInput"/> checks an eval set first. The model's class count must equal
/// the label set's; the i-th output is taken to mean the label set's i-th class.
/// </summary>
public sealed class OnnxClassifier : IImageClassifier
{
    private readonly InferenceSession session;
    private readonly OnnxClassifierOptions options;
    private readonly string inputName;
    private readonly int[] inputDims;
    private readonly string path;

    public string Name { get; }
    public LabelSet LabelSet { get; }

    /// <summary>The input the model takes: the options' sizes, else the graph's fixed dimensions, else any.</summary>
    public ClassifierInput Input => new(
        options.Channels ?? Fixed(inputDims[1]), options.Height ?? Fixed(inputDims[2]), options.Width ?? Fixed(inputDims[3]),
        options.ConvertChannels, ConversionHint: "set the ONNX option ConvertChannels (grey is copied into each colour channel, colour averaged to grey)");

    private static int? Fixed(int dimension) => dimension > 0 ? dimension : null;

    public OnnxClassifier(string modelPath, LabelSet labelSet, OnnxClassifierOptions? options = null)
    {
        if (!File.Exists(modelPath)) throw new SelectBenchException($"ONNX model '{modelPath}' not found.");
        this.options = options ?? new OnnxClassifierOptions();
        if (this.options.Output is not ("auto" or "probabilities" or "logits"))
            throw new SelectBenchException($"ONNX option 'output' = '{this.options.Output}': use auto, probabilities or logits.");
        path = modelPath;
        try
        {
            session = new InferenceSession(modelPath);
        }
        catch (OnnxRuntimeException e)
        {
            throw new BadInputException(modelPath, $"ONNX Runtime cannot load the model: {e.Message}", e);
        }
        inputName = this.options.InputName ?? session.InputMetadata.Keys.First();
        if (!session.InputMetadata.TryGetValue(inputName, out var input))
            throw new SelectBenchException($"{modelPath}: no input named '{inputName}'; the model's inputs are {string.Join(", ", session.InputMetadata.Keys)}.");
        inputDims = input.Dimensions;
        if (inputDims.Length != 4)
            throw new BadInputException(modelPath, $"input '{inputName}' has {inputDims.Length} dimensions; an image classifier takes N x C x H x W.");
        LabelSet = labelSet;
        var output = session.OutputMetadata.First();
        if (output.Value.Dimensions is { Length: 2 } od && od[1] > 0 && od[1] != labelSet.Count)
            throw ClassCountMismatch(od[1]);
        Name = $"onnx:{Path.GetFileName(modelPath)}";
    }

    private SelectBenchException ClassCountMismatch(long modelClasses) =>
        new($"{path}: the ONNX model outputs {modelClasses} classes but the label set has {LabelSet.Count} " +
            $"({string.Join(", ", LabelSet.Names.Take(5))}{(LabelSet.Count > 5 ? ", ..." : "")}); give the label set the model was trained on.");

    public float[] PredictProbabilities(ImageSet images)
    {
        int channels = options.Channels ?? (inputDims[1] > 0 ? inputDims[1] : images.Channels);
        int height = options.Height ?? (inputDims[2] > 0 ? inputDims[2] : images.Height);
        int width = options.Width ?? (inputDims[3] > 0 ? inputDims[3] : images.Width);
        var normalization = new InputNormalization(
            Expand(options.Mean, channels, 0f, "mean"), Expand(options.Std, channels, 1f, "std"));
        int batch = inputDims[0] > 0 ? inputDims[0] : options.BatchSize;
        int classes = LabelSet.Count;
        var result = new float[(long)images.Count * classes];
        using var data = new ImageTensors(images);
        for (int start = 0; start < images.Count; start += batch)
        {
            int n = Math.Min(batch, images.Count - start);
            float[] pixels;
            using (var scope = NewDisposeScope())
            {
                var x = ImageTensors.Conform(data.Batch(Scalars.Arange(start, start + n), CPU), channels, height, width);
                ImageTensors.Normalize(x, normalization);
                // A fixed batch dimension gets zero images appended to fill the last batch.
                if (n < batch) x = cat([x, zeros(batch - n, channels, height, width)]);
                pixels = x.contiguous().data<float>().ToArray();
            }
            var tensor = new DenseTensor<float>(pixels, [batch, channels, height, width]);
            using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(inputName, tensor)]);
            var scores = outputs.First().AsTensor<float>();
            if (scores.Dimensions.Length != 2) throw new BadInputException(path, $"output has {scores.Dimensions.Length} dimensions; expected N x classes.");
            if (scores.Dimensions[1] != classes) throw ClassCountMismatch(scores.Dimensions[1]);
            var flat = scores.ToArray();
            for (int i = 0; i < n; i++) ToProbabilities(flat.AsSpan(i * classes, classes), result.AsSpan((start + i) * classes, classes));
        }
        return result;
    }

    private void ToProbabilities(ReadOnlySpan<float> scores, Span<float> probabilities)
    {
        bool isProbability = options.Output == "probabilities" || (options.Output == "auto" && LooksLikeProbabilities(scores));
        if (isProbability) { scores.CopyTo(probabilities); return; }
        System.Numerics.Tensors.TensorPrimitives.SoftMax(scores, probabilities);
    }

    private static bool LooksLikeProbabilities(ReadOnlySpan<float> row)
    {
        double sum = 0;
        foreach (var v in row)
        {
            if (v < 0 || v > 1) return false;
            sum += v;
        }
        return Math.Abs(sum - 1) < 1e-3;
    }

    private float[] Expand(float[]? values, int channels, float fallback, string what)
    {
        if (values is null) return Enumerable.Repeat(fallback, channels).ToArray();
        if (values.Length == channels) return values;
        if (values.Length == 1) return Enumerable.Repeat(values[0], channels).ToArray();
        throw new SelectBenchException($"ONNX option '{what}' has {values.Length} values; the model takes {channels} channels (give {channels} values or 1).");
    }

    public void Dispose() => session.Dispose();
}
