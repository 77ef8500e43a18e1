using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Models;

/// <summary>
/// A classification network with a separable head: <see cref="Features"/> gives the penultimate
/// (globally pooled) features, the head maps them to class logits. Every zoo model derives from this, so
/// the trainer, the checkpoint encoder and the transfer fine-tuning treat them alike.
/// </summary>
public abstract class ClassifierNet : nn.Module<Tensor, Tensor>
{
    protected ClassifierNet(string name) : base(name) { }

    /// <summary>Length of the vector <see cref="Features"/> returns per image.</summary>
    public abstract int FeatureDimension { get; }

    /// <summary>Number of classes the current head predicts.</summary>
    public abstract int Classes { get; }

    /// <summary>Penultimate features: N x C x H x W images to N x <see cref="FeatureDimension"/>.</summary>
    public abstract Tensor Features(Tensor images);

    /// <summary>Logits from penultimate features.</summary>
    public abstract Tensor Head(Tensor features);

    public override Tensor forward(Tensor images)
    {
        using var features = Features(images);
        return Head(features);
    }

    /// <summary>
    /// Replaces the classification head with a freshly initialised one for <paramref name="classes"/>
    /// classes (transfer fine-tuning, docs/metrics.md). The body keeps its weights.
    /// </summary>
    public abstract void ReplaceHead(int classes, Generator? generator = null);
}
