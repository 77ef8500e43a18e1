using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Models;

/// <summary>
/// How tensors and conv nets are laid out for the GPU (docs/benchmark.md, "On a GPU"): batches are copied host to device
/// from pinned memory without blocking, and 4-D tensors use the channels-last (NHWC) memory format, which cuDNN's
/// tensor-core convolutions run fastest in (PyTorch's "Channels Last Memory Format" tutorial; NVIDIA's
/// DeepLearningExamples ResNet-50 trains with it). TorchSharp 0.107 has the <c>memory_format</c> enum but no
/// <c>contiguous(memory_format)</c> or <c>Module.to(memory_format)</c>, so the layout is made the way PyTorch defines
/// it: an NCHW view whose strides are those of an NHWC tensor. libtorch's convolutions pick the layout from the strides.
/// Every method here changes layout and timing only, never values; the trainer calls them on CUDA devices only, so CPU
/// results stay as they were.
/// </summary>
public static class CudaLayout
{
    /// <summary>
    /// <paramref name="cpuBatch"/> on <paramref name="device"/>: itself on the CPU; on a GPU, a non-blocking copy
    /// from pinned memory (the host stays free to prepare the next batch while the copy runs).
    /// </summary>
    public static Tensor ToDevice(Tensor cpuBatch, Device device)
    {
        if (device.type != DeviceType.CUDA) return cpuBatch.alias();
        using var scope = NewDisposeScope();
        var pinned = cpuBatch.is_pinned() ? cpuBatch : cpuBatch.pin_memory();
        return pinned.to(device, non_blocking: true).MoveToOuterDisposeScope();
    }

    /// <summary>A 4-D NCHW tensor with channels-last strides (same shape and values); other tensors unchanged (an alias).</summary>
    public static Tensor ChannelsLast(Tensor x)
    {
        if (x.dim() != 4) return x.alias();
        using var nhwc = x.permute(0, 2, 3, 1).contiguous();
        return nhwc.permute(0, 3, 1, 2);
    }

    /// <summary>True when a 4-D tensor's strides are those of a dense NHWC tensor.</summary>
    public static bool IsChannelsLast(Tensor x)
    {
        if (x.dim() != 4) return false;
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var s = x.stride();
        return s[1] == 1 && s[3] == c && s[2] == c * w && (n == 1 || s[0] == c * h * w);
    }

    /// <summary>
    /// Every 4-D parameter and buffer (the convolution weights) of <paramref name="model"/> switched to channels-last
    /// strides in place (<c>set_</c>), so an optimizer built before still holds the same parameters, as PyTorch's
    /// <c>model.to(memory_format=torch.channels_last)</c> does.
    /// </summary>
    public static void UseChannelsLast(nn.Module model)
    {
        using var _ = no_grad();
        foreach (var p in model.parameters().Concat(model.buffers()))
        {
            if (p.dim() != 4 || IsChannelsLast(p)) continue;
            using var cl = ChannelsLast(p);
            p.set_(cl);
        }
    }
}
