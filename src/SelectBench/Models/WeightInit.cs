using SelectBench.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Models;

/// <summary>
/// Weight initialisation drawn from an explicit generator, so that a recipe seed fixes the initial weights
/// (libtorch's nn.init functions in TorchSharp 0.107 take no generator).
/// </summary>
internal static class WeightInit
{
    /// <summary>
    /// He et al. 2015 ("Delving deep into rectifiers") normal init with fan-out, as torchvision's ResNet
    /// uses for convolutions (torchvision/models/resnet.py: kaiming_normal_(mode="fan_out",
    /// nonlinearity="relu")): std = sqrt(2 / (out_channels * kh * kw)).
    /// </summary>
    public static void KaimingNormalFanOut(Tensor weight, Generator? generator)
    {
        long fanOut = weight.shape[0];
        for (int d = 2; d < weight.dim(); d++) fanOut *= weight.shape[d];
        double std = Math.Sqrt(2.0 / fanOut);
        using var _ = no_grad();
        using var sample = randn(weight.shape, dtype: weight.dtype, generator: generator);
        weight.copy_(Scalars.MulInPlace(sample, std));
    }

    /// <summary>
    /// PyTorch's default nn.Linear init: weight and bias uniform in +-1/sqrt(fan_in)
    /// (kaiming_uniform with a = sqrt(5) reduces to this bound for the weight).
    /// </summary>
    public static void LinearDefault(Tensor weight, Tensor? bias, Generator? generator)
    {
        double bound = 1.0 / Math.Sqrt(weight.shape[1]);
        using var _ = no_grad();
        using (var w = rand(weight.shape, dtype: weight.dtype, generator: generator))
            weight.copy_(Scalars.AddConstantInPlace(Scalars.MulInPlace(w, 2 * bound), -bound));
        if (bias is not null)
        {
            using var b = rand(bias.shape, dtype: bias.dtype, generator: generator);
            bias.copy_(Scalars.AddConstantInPlace(Scalars.MulInPlace(b, 2 * bound), -bound));
        }
    }

    /// <summary>Conv weights by <see cref="KaimingNormalFanOut"/>, batch-norm scale 1 and shift 0, linear layers by default.</summary>
    public static void InitResNet(nn.Module module, Generator? generator)
    {
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case TorchSharp.Modules.Conv2d conv:
                    KaimingNormalFanOut(conv.weight!, generator);
                    break;
                case TorchSharp.Modules.BatchNorm bn:
                    using (no_grad())
                    {
                        bn.weight!.fill_(Scalars.One);
                        bn.bias!.zero_();
                    }
                    break;
                case TorchSharp.Modules.Linear linear:
                    LinearDefault(linear.weight!, linear.bias, generator);
                    break;
            }
        }
    }

    /// <summary>Channels of a stage scaled by a width multiplier, at least 1.</summary>
    public static int Scaled(int channels, double width) => Math.Max(1, (int)Math.Round(channels * width));
}
