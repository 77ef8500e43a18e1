using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Embedding;

namespace SelectBench.Encoders;

public enum ChannelOrder { Rgb, Bgr }

/// <summary>Pixel range fed to the model before mean/std: 0..1 or 0..255.</summary>
public enum PixelScale { Unit, Byte }

/// <summary>
/// How to feed images to an ONNX image model. Mean and Std are per channel, in the model's channel order
/// and in the units of <paramref name="Scale"/>: value = (pixel scaled - mean) / std. Null input/output
/// names take the model's first input/output. <paramref name="Flatten"/> accepts outputs shaped
/// [N, C, 1, 1] (pooled conv features) and returns them as C-vectors. <paramref name="Name"/> overrides
/// the encoder name (default: file name + hash of the model file).
/// </summary>
public sealed record OnnxImageEncoderOptions(
    string ModelPath,
    int InputWidth = 224,
    int InputHeight = 224,
    string? InputName = null,
    string? OutputName = null,
    ChannelOrder ChannelOrder = ChannelOrder.Rgb,
    PixelScale Scale = PixelScale.Unit,
    float[]? Mean = null,
    float[]? Std = null,
    bool Flatten = true,
    int IntraOpThreads = 1,
    int BatchSize = 32,
    string? Name = null);

/// <summary>
/// Any ONNX image model as an encoder, through ONNX Runtime. Images are resized bilinearly (half-pixel
/// centres, as torchvision/PIL), grey images are replicated to three channels, and batches are used when
/// the model's batch dimension is dynamic (else one image per call). The input tensor shape is checked
/// against the model's declared input before every call: some models (the ResNet-18 featurizer among them)
/// crash the process on a wrong size instead of raising.
/// </summary>
public sealed class OnnxImageEncoder : IImageEncoder
{
    private readonly InferenceSession _session;
    private readonly OnnxImageEncoderOptions _options;
    private readonly string _inputName, _outputName;
    private readonly int _modelChannels;
    private readonly bool _dynamicBatch;
    private readonly float[] _mean, _std;

    public string Name { get; }
    public int Dimension { get; }

    public OnnxImageEncoder(OnnxImageEncoderOptions options)
    {
        _options = options;
        if (!File.Exists(options.ModelPath)) throw new BadInputException(options.ModelPath, "ONNX model file not found.");
        if (options.InputWidth <= 0 || options.InputHeight <= 0 || options.BatchSize <= 0 || options.IntraOpThreads < 0)
            throw new SelectBenchException($"ONNX encoder options {options}: input size and batch size must be positive, intra_op_threads non-negative.");
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = options.IntraOpThreads, InterOpNumThreads = 1 };
        try { _session = new InferenceSession(options.ModelPath, sessionOptions); }
        catch (OnnxRuntimeException e) { throw new BadInputException(options.ModelPath, $"ONNX Runtime cannot load the model ({e.Message}).", e); }
        try
        {
            _inputName = options.InputName ?? _session.InputMetadata.Keys.First();
            _outputName = options.OutputName ?? _session.OutputMetadata.Keys.First();
            if (!_session.InputMetadata.TryGetValue(_inputName, out var input))
                throw new BadInputException(options.ModelPath, $"has no input named '{_inputName}'; inputs: {string.Join(", ", _session.InputMetadata.Keys)}.");
            if (!_session.OutputMetadata.TryGetValue(_outputName, out var output))
                throw new BadInputException(options.ModelPath, $"has no output named '{_outputName}'; outputs: {string.Join(", ", _session.OutputMetadata.Keys)}.");
            var dims = input.Dimensions;
            if (dims.Length != 4) throw new BadInputException(options.ModelPath, $"input '{_inputName}' has rank {dims.Length}; an image model takes [N, C, H, W].");
            _modelChannels = dims[1];
            if (_modelChannels is not (1 or 3)) throw new BadInputException(options.ModelPath, $"input '{_inputName}' has {dims[1]} channels; 1 or 3 are supported.");
            if ((dims[2] > 0 && dims[2] != options.InputHeight) || (dims[3] > 0 && dims[3] != options.InputWidth))
                throw new BadInputException(options.ModelPath,
                    $"input '{_inputName}' is fixed at {dims[2]}x{dims[3]} but the options ask for {options.InputHeight}x{options.InputWidth}; set input_height/input_width to match.");
            _dynamicBatch = dims[0] <= 0;
            _mean = PerChannel(options.Mean, 0f, "mean");
            _std = PerChannel(options.Std, 1f, "std");
            if (_std.Any(s => !(s > 0))) throw new SelectBenchException($"ONNX encoder '{options.ModelPath}': every std must be positive, got [{string.Join(", ", _std)}].");
            var outDims = output.Dimensions;
            var featureDims = outDims.Skip(1).ToArray();
            if (featureDims.Any(d => d <= 0))
                throw new BadInputException(options.ModelPath, $"output '{_outputName}' has dynamic feature dimensions [{string.Join(",", outDims)}]; export the model with fixed output sizes.");
            if (!options.Flatten && featureDims.Length != 1)
                throw new BadInputException(options.ModelPath, $"output '{_outputName}' is [{string.Join(",", outDims)}]; set flatten to true to use it as a vector.");
            if (options.Flatten && featureDims.Length > 1 && featureDims.Skip(1).Any(d => d != 1))
                throw new BadInputException(options.ModelPath, $"output '{_outputName}' is [{string.Join(",", outDims)}]; flatten only accepts [N, C, 1, 1]-like outputs.");
            Dimension = featureDims[0];
            Name = options.Name ?? $"onnx-{Path.GetFileNameWithoutExtension(options.ModelPath)}-{FileHash(options.ModelPath)}" +
                   $"-{options.InputHeight}x{options.InputWidth}-{options.ChannelOrder.ToString().ToLowerInvariant()}";
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    private float[] PerChannel(float[]? values, float fallback, string field)
    {
        if (values == null) return Enumerable.Repeat(fallback, _modelChannels).ToArray();
        if (values.Length != _modelChannels)
            throw new SelectBenchException($"ONNX encoder '{_options.ModelPath}': {field} has {values.Length} values but the model takes {_modelChannels} channels.");
        return values;
    }

    internal static string FileHash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream).AsSpan(0, 6));
    }

    /// <summary>
    /// The ImageNet ResNet-18 featurizer of NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1
    /// (DnnImageModels/ResNet18Onnx/ResNet18.onnx, copied to the build output). Facts measured here: input fixed
    /// [1,3,224,224], BGR, 0-255 minus the ImageNet channel means (B 103.06, G 115.90, R 123.15), no division
    /// by std; output 512-d [1,512,1,1]; about 80 images/s on the project's 2-core CPU.
    /// </summary>
    public static OnnxImageEncoder ResNet18Featurizer(int intraOpThreads = 1, string? modelPath = null) =>
        new(new OnnxImageEncoderOptions(
            ModelPath: modelPath ?? FindResNet18Model(),
            InputWidth: 224, InputHeight: 224,
            ChannelOrder: ChannelOrder.Bgr, Scale: PixelScale.Byte,
            Mean: [103.06f, 115.90f, 123.15f], Std: [1f, 1f, 1f],
            Flatten: true, IntraOpThreads: intraOpThreads, BatchSize: 1,
            Name: "onnx-resnet18-dnnimagefeaturizer-0.23.1"));

    /// <summary>Looks next to the application first, then in the NuGet package cache.</summary>
    public static string FindResNet18Model()
    {
        const string relative = "DnnImageModels/ResNet18Onnx/ResNet18.onnx";
        var nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, relative),
            Path.Combine(nugetRoot, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", relative),
        ];
        return candidates.FirstOrDefault(File.Exists)
               ?? throw new SelectBenchException(
                   $"ResNet-18 featurizer model not found (looked in {string.Join(", ", candidates)}). Reference the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 or pass the .onnx path.");
    }

    public Embeddings Encode(ImageSet images)
    {
        if (images.Channels is not (1 or 3))
            throw new SelectBenchException($"{Name}: images with {images.Channels} channels are not supported; give grey (1) or RGB (3) images.");
        int n = images.Count, batch = _dynamicBatch ? _options.BatchSize : 1;
        int c = _modelChannels, h = _options.InputHeight, w = _options.InputWidth;
        var output = new float[n * Dimension];
        var resize = new BilinearResize(images.Height, images.Width, h, w);
        var plane = new float[h * w];
        using var progress = n >= 256 ? new ProgressBar($"encode {Name}", n) : null;
        for (int start = 0; start < n; start += batch)
        {
            int m = Math.Min(batch, n - start);
            var input = new DenseTensor<float>([m, c, h, w]);
            var buffer = input.Buffer.Span;
            for (int i = 0; i < m; i++)
                for (int mc = 0; mc < c; mc++)
                {
                    int source = SourceChannel(mc, images.Channels);
                    resize.Apply(images.Image(start + i).Slice(source * images.Height * images.Width, images.Height * images.Width), plane);
                    float scale = _options.Scale == PixelScale.Unit ? 1f / 255f : 1f;
                    var dst = buffer.Slice(((i * c) + mc) * h * w, h * w);
                    float mean = _mean[mc], invStd = 1f / _std[mc];
                    for (int p = 0; p < plane.Length; p++) dst[p] = (plane[p] * scale - mean) * invStd;
                }
            RequireDeclaredShape(input.Dimensions);
            using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, input)], [_outputName]);
            var values = results.First().AsEnumerable<float>().ToArray();
            if (values.Length != m * Dimension)
                throw new SelectBenchException($"{Name}: the model returned {values.Length} values for {m} images; expected {m * Dimension}.");
            Array.Copy(values, 0, output, start * Dimension, values.Length);
            progress?.Advance(m);
        }
        return new Embeddings(output, n, Dimension);
    }

    /// <summary>Model channel -> image channel: grey is replicated; RGB images are reordered for BGR models.</summary>
    private int SourceChannel(int modelChannel, int imageChannels)
    {
        if (imageChannels == 1) return 0;
        if (_modelChannels == 1) throw new SelectBenchException($"{Name}: the model takes grey images but the set has {imageChannels} channels.");
        return _options.ChannelOrder == ChannelOrder.Bgr ? 2 - modelChannel : modelChannel;
    }

    private void RequireDeclaredShape(ReadOnlySpan<int> shape)
    {
        var declared = _session.InputMetadata[_inputName].Dimensions;
        for (int i = 0; i < declared.Length; i++)
            if (declared[i] > 0 && declared[i] != shape[i])
                throw new SelectBenchException(
                    $"{Name}: input tensor [{string.Join(",", shape.ToArray())}] does not fit the model's input [{string.Join(",", declared)}]; not calling the model (a wrong size can crash the process).");
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>
/// Bilinear resize of one uint8 plane with half-pixel centres (src = (dst + 0.5) * scale - 0.5, clamped),
/// the convention of torchvision's resize without antialias and of OpenCV's INTER_LINEAR. Output 0..255 floats.
/// </summary>
public sealed class BilinearResize
{
    private readonly int _srcW, _dstH, _dstW;
    private readonly int[] _x0, _x1, _y0, _y1;
    private readonly float[] _fx, _fy;

    public BilinearResize(int srcH, int srcW, int dstH, int dstW)
    {
        _srcW = srcW; _dstH = dstH; _dstW = dstW;
        (_x0, _x1, _fx) = Axis(srcW, dstW);
        (_y0, _y1, _fy) = Axis(srcH, dstH);
    }

    private static (int[] Lo, int[] Hi, float[] Frac) Axis(int src, int dst)
    {
        var lo = new int[dst]; var hi = new int[dst]; var frac = new float[dst];
        double scale = (double)src / dst;
        for (int i = 0; i < dst; i++)
        {
            double s = Math.Clamp((i + 0.5) * scale - 0.5, 0, src - 1);
            lo[i] = (int)Math.Floor(s);
            hi[i] = Math.Min(lo[i] + 1, src - 1);
            frac[i] = (float)(s - lo[i]);
        }
        return (lo, hi, frac);
    }

    public void Apply(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int y = 0; y < _dstH; y++)
        {
            var r0 = src.Slice(_y0[y] * _srcW, _srcW);
            var r1 = src.Slice(_y1[y] * _srcW, _srcW);
            float fy = _fy[y];
            var row = dst.Slice(y * _dstW, _dstW);
            for (int x = 0; x < _dstW; x++)
            {
                float fx = _fx[x];
                float top = r0[_x0[x]] + (r0[_x1[x]] - r0[_x0[x]]) * fx;
                float bottom = r1[_x0[x]] + (r1[_x1[x]] - r1[_x0[x]]) * fx;
                row[x] = top + (bottom - top) * fy;
            }
        }
    }
}
