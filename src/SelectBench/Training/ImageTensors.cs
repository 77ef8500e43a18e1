using SelectBench.Engine;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Training;

/// <summary>
/// An image set held as one uint8 tensor (N x C x H x W) on the CPU, from which batches are gathered by
/// index and turned into float tensors. One copy of the pixels, no per-image work per batch.
/// </summary>
public sealed class ImageTensors : IDisposable
{
    public Tensor Pixels { get; }
    public Tensor Labels { get; }
    public int Count { get; }

    public ImageTensors(ImageSet images)
    {
        Count = images.Count;
        Pixels = tensor(images.Pixels, [images.Count, images.Channels, images.Height, images.Width], dtype: ScalarType.Byte);
        Labels = tensor(images.Labels.Select(l => (long)l).ToArray(), dtype: ScalarType.Int64);
    }

    /// <summary>Images at <paramref name="indices"/> as float in [0, 1] on <paramref name="device"/>.</summary>
    public Tensor Batch(Tensor indices, Device device)
    {
        using var scope = NewDisposeScope();
        return Pixels.index_select(0, indices).to(device).to(ScalarType.Float32).div_(Scalars.Byte255).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Images <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/> as float in [0, 1] on
    /// <paramref name="device"/>, copied through <see cref="ImageSet.CopyImages"/> (which decodes an out-of-core set's
    /// images on all cores): the evaluation path for sets whose pixels are never held whole.
    /// </summary>
    public static Tensor Range(ImageSet images, int start, int count, Device device)
    {
        using var scope = NewDisposeScope();
        var buffer = new byte[(long)count * images.ImageSize];
        images.CopyImages(Enumerable.Range(start, count).ToArray(), buffer);
        var pixels = tensor(buffer, [count, images.Channels, images.Height, images.Width], dtype: ScalarType.Byte);
        return Scalars.DivInPlace(pixels.to(device).to(ScalarType.Float32), 255).MoveToOuterDisposeScope();
    }

    public Tensor BatchLabels(Tensor indices, Device device)
    {
        using var scope = NewDisposeScope();
        return Labels.index_select(0, indices).to(device).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Pixels.Dispose();
        Labels.Dispose();
    }

    /// <summary>(x - mean) / std per channel, in place.</summary>
    public static Tensor Normalize(Tensor batch, InputNormalization normalization)
    {
        using var mean = tensor(normalization.Mean, device: batch.device).view(1, -1, 1, 1);
        using var std = tensor(normalization.Std, device: batch.device).view(1, -1, 1, 1);
        return batch.sub_(mean).div_(std);
    }

    /// <summary>
    /// Adapts a [0, 1] float batch to a model's input: grey to colour by replicating the channel, colour to
    /// grey by averaging, and bilinear resizing (antialiased when shrinking) to the model's height and width.
    /// </summary>
    public static Tensor Conform(Tensor batch, int channels, int height, int width)
    {
        using var scope = NewDisposeScope();
        var x = batch;
        long c = x.shape[1];
        if (c != channels)
        {
            if (c == 1) x = x.expand(x.shape[0], channels, x.shape[2], x.shape[3]);
            else if (channels == 1) x = x.mean([1], keepdim: true);
            else throw new SelectBenchException($"Cannot feed {c}-channel images to a model that expects {channels} channels.");
        }
        if (x.shape[2] != height || x.shape[3] != width)
        {
            bool shrink = x.shape[2] > height || x.shape[3] > width;
            x = nn.functional.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: false, antialias: shrink);
        }
        return (ReferenceEquals(x, batch) ? x.alias() : x.contiguous()).MoveToOuterDisposeScope();
    }
}
