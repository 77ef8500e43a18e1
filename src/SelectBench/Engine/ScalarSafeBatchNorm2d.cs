using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace SelectBench.Engine;

/// <summary>
/// 2-D batch normalisation (Ioffe and Szegedy 2015) with PyTorch's defaults (eps 1e-5, momentum 0.1,
/// affine, running statistics): the same parameters, buffers and state-dict names as TorchSharp's
/// <c>nn.BatchNorm2d</c>, so weights load either way. It exists because TorchSharp's forward counts batches
/// with <c>num_batches_tracked.add_(1)</c>, an implicit Scalar that the finalizer can free while libtorch
/// reads it ("Unknown scalar type" inside BatchNorm.forward; see <see cref="Scalars"/>).
/// </summary>
public sealed class ScalarSafeBatchNorm2d : TorchSharp.Modules.BatchNorm
{
    public ScalarSafeBatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1)
        : base(features, eps, momentum, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d") { }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input, but got {input.ndim}D input.");
    }

    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        if (training && num_batches_tracked is not null) num_batches_tracked.add_(Scalars.One, Scalars.One);
        // With track_running_stats (always here), evaluation uses the running statistics and training the
        // batch statistics, updating the running ones with the momentum.
        return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum ?? 0.1, eps);
    }
}
