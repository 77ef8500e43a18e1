using System.Globalization;
using System.Security.Cryptography;
using SelectBench.Data;
using SelectBench.Models;
using SelectBench.Training;
using TorchSharp;
using SelectBench.Embedding;

namespace SelectBench.Encoders;

/// <summary>
/// The penultimate layer (globally pooled features) of a trained network as a fixed image encoder, e.g. the expert
/// model's features for embedding search or image-quality metrics. Two kinds of file:
/// <list type="bullet">
/// <item>a SelectBench checkpoint (<c>selectbench train</c>): the network, its input size and its normalisation come
/// from the checkpoint;</item>
/// <item>a PyTorch state dict (<c>.pth</c>/<c>.pt</c>) of a torchvision-layout ResNet, such as DINO's ResNet-50, the
/// fixed encoder of Feuer et al. 2024 (docs/encoders.md, "PyTorch weights"): the architecture is read from the keys,
/// <c>fc</c> is ignored, inputs are normalised with ImageNet's mean and standard deviation (torchvision's and DINO's
/// preprocessing) and fed at the image set's own size.</item>
/// </list>
/// </summary>
public sealed class CheckpointEncoder : IImageEncoder
{
    private readonly ClassifierNet model;
    private readonly InputNormalization normalization;
    private readonly (int Height, int Width)? inputSize;
    private readonly torch.Device device;

    /// <summary>
    /// "checkpoint:{architecture}:{first 12 hex digits of the file's SHA-256}" ("checkpoint:pth-{resnet shape}:..." for a
    /// PyTorch state dict): changes when the weights do.
    /// </summary>
    public string Name { get; }
    public int Dimension => model.FeatureDimension;

    /// <summary>Images per forward pass.</summary>
    public int BatchSize { get; init; } = 256;

    public CheckpointEncoder(string checkpointPath, string device = "cpu")
    {
        this.device = Trainer.ResolveDevice(device);
        string architecture;
        if (IsPyTorchFile(checkpointPath))
        {
            var weights = TorchvisionWeights.Read(checkpointPath);
            try
            {
                var shape = TorchvisionWeights.InferShape(weights, checkpointPath);
                model = TorchvisionWeights.Build(weights, checkpointPath);
                architecture = string.Create(CultureInfo.InvariantCulture,
                    $"pth-{(shape.Bottleneck ? "bottleneck" : "basic")}{string.Join("-", shape.Blocks)}-w{shape.Width:G4}");
            }
            finally
            {
                foreach (var t in weights.Values) t.Dispose();
            }
            normalization = new InputNormalization(ImageNetStatistics.Mean, ImageNetStatistics.Std);
            inputSize = null;
        }
        else
        {
            (var metadata, model) = TrainingCheckpoint.LoadModel(checkpointPath);
            normalization = metadata.Normalization;
            inputSize = (metadata.Height, metadata.Width);
            architecture = metadata.Model.Name;
        }
        model.to(this.device);
        model.eval();
        using var fs = File.OpenRead(checkpointPath);
        var hash = Convert.ToHexStringLower(SHA256.HashData(fs))[..12];
        Name = $"checkpoint:{architecture}:{hash}";
    }

    /// <summary>A PyTorch file: a zip archive (torch.save since PyTorch 1.6), where SelectBench checkpoints start with their own magic.</summary>
    public static bool IsPyTorchFile(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        return fs.Read(head) == 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4;
    }

    public Embeddings Encode(ImageSet images)
    {
        var (height, width) = inputSize ?? (images.Height, images.Width);
        return new(ModelInference.Features(model, normalization, height, width, images, device, BatchSize), images.Count, Dimension);
    }

    public void Dispose() => model.Dispose();
}
