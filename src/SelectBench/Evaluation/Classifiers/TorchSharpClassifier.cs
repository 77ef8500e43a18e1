using SelectBench.Data;
using SelectBench.Models;
using SelectBench.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Evaluation.Classifiers;

/// <summary>
/// A SelectBench checkpoint (written by <see cref="Trainer"/>) as a classifier. The checkpoint carries
/// the architecture, the label set and the input normalisation, so nothing else is needed. Images of
/// another size or channel count are adapted (<see cref="ImageTensors.Conform"/>); callers check an eval set
/// first with <see cref="ClassifierInput"/>, which refuses a channel mismatch.
/// </summary>
public sealed class TorchSharpClassifier : IImageClassifier
{
    private readonly Device device;

    public string Name { get; }
    public LabelSet LabelSet { get; }
    public CheckpointMetadata Metadata { get; }
    public ClassifierNet Model { get; }
    public int BatchSize { get; init; } = 256;

    /// <summary>The input the network was trained on; a checkpoint has no channel-conversion setting.</summary>
    public ClassifierInput Input => new(Metadata.Normalization.Mean.Length, Metadata.Height, Metadata.Width);

    private TorchSharpClassifier(string name, CheckpointMetadata metadata, ClassifierNet model, Device device)
    {
        Name = name;
        Metadata = metadata;
        Model = model;
        LabelSet = metadata.LabelSet;
        this.device = device;
        model.eval();
    }

    /// <param name="device">"cpu" or "cuda".</param>
    public static TorchSharpClassifier Load(string checkpointPath, string device = "cpu")
    {
        var dev = Trainer.ResolveDevice(device);
        var (meta, model) = TrainingCheckpoint.LoadModel(checkpointPath);
        model.to(dev);
        var full = Path.GetFullPath(checkpointPath);
        var name = $"{meta.Model.Name}:{Path.GetFileName(Path.GetDirectoryName(full))}/{Path.GetFileName(full)}";
        return new TorchSharpClassifier(name, meta, model, dev);
    }

    public float[] PredictProbabilities(ImageSet images) =>
        ModelInference.PredictProbabilities(Model, Metadata.Normalization, Metadata.Height, Metadata.Width, images, device, BatchSize);

    /// <summary>Penultimate features, row-major N x <see cref="ClassifierNet.FeatureDimension"/>.</summary>
    public float[] Features(ImageSet images) =>
        ModelInference.Features(Model, Metadata.Normalization, Metadata.Height, Metadata.Width, images, device, BatchSize);

    public void Dispose() => Model.Dispose();
}
