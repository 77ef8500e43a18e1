using SelectBench.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SelectBench.Encoders.SelfSupervised;

/// <summary>
/// The basic residual block of He et al. 2016 ("Deep Residual Learning", fig. 2): two 3x3 convolutions with
/// batch norm, a projection shortcut (1x1 conv + BN) when the shape changes.
/// </summary>
internal sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1, bn1, conv2, bn2, shortcut;

    public BasicBlock(string name, int inChannels, int outChannels, int stride) : base(name)
    {
        conv1 = Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn1 = new ScalarSafeBatchNorm2d(outChannels);
        conv2 = Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: false);
        bn2 = new ScalarSafeBatchNorm2d(outChannels);
        shortcut = stride != 1 || inChannels != outChannels
            ? Sequential(Conv2d(inChannels, outChannels, 1, stride: stride, bias: false), new ScalarSafeBatchNorm2d(outChannels))
            : Identity();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = functional.relu(bn1.forward(conv1.forward(x)));
        y = bn2.forward(conv2.forward(y));
        return functional.relu(Scalars.Add(y, shortcut.forward(x))).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A compact ResNet for small images (28x28 and similar): a 3x3 stem at full resolution, three basic blocks
/// of width w, 2w, 4w (the last two stride 2), global average pooling. Output: 4w features. A reduced
/// ResNet in the spirit of the CIFAR ResNets of He et al. 2016 section 4.2 (one block per stage).
/// </summary>
internal sealed class CompactResNet : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> stem, stage1, stage2, stage3, pool;

    public int FeatureDimension { get; }

    public CompactResNet(string name, int inChannels, int width) : base(name)
    {
        stem = Sequential(Conv2d(inChannels, width, 3, padding: 1, bias: false), new ScalarSafeBatchNorm2d(width), ReLU());
        stage1 = new BasicBlock("stage1", width, width, 1);
        stage2 = new BasicBlock("stage2", width, 2 * width, 2);
        stage3 = new BasicBlock("stage3", 2 * width, 4 * width, 2);
        pool = AdaptiveAvgPool2d(1);
        FeatureDimension = 4 * width;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = stage3.forward(stage2.forward(stage1.forward(stem.forward(x))));
        return pool.forward(y).flatten(1).MoveToOuterDisposeScope();
    }
}

/// <summary>SimCLR's network: backbone f and projection head g = Linear-ReLU-Linear (Chen et al. 2020, section 2.1).</summary>
internal sealed class SimClrNetwork : Module<Tensor, Tensor>
{
    public readonly CompactResNet backbone;
    private readonly Module<Tensor, Tensor> projector;

    public SimClrNetwork(int inChannels, int width, int projectionDimension) : base("simclr")
    {
        backbone = new CompactResNet("backbone", inChannels, width);
        int f = backbone.FeatureDimension;
        projector = Sequential(Linear(f, f), ReLU(), Linear(f, projectionDimension));
        RegisterComponents();
    }

    /// <summary>Projections z = g(f(x)), used only by the contrastive loss.</summary>
    public override Tensor forward(Tensor x) => projector.forward(backbone.forward(x));

    /// <summary>
    /// PyTorch's default initialisation (uniform in +-1/sqrt(fan_in) for conv and linear weights and biases),
    /// drawn from a private generator so that a seed fixes the weights whatever else uses torch's global RNG.
    /// </summary>
    public void Initialise(Generator generator)
    {
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.Contains("bn") || p.dim() == 1 && IsBatchNorm(name)) continue;
            long fanIn = p.dim() > 1 ? p.shape.Skip(1).Aggregate(1L, (a, b) => a * b) : FanInOfBias(name);
            double bound = 1.0 / Math.Sqrt(fanIn);
            p.copy_(Scalars.Affine(rand(p.shape, generator: generator), 2 * bound, -bound));
        }
    }

    private bool IsBatchNorm(string parameterName)
    {
        var module = parameterName[..parameterName.LastIndexOf('.')];
        return named_modules().Any(m => m.name == module && m.module is BatchNorm);
    }

    private long FanInOfBias(string biasName)
    {
        var weight = biasName[..biasName.LastIndexOf('.')] + ".weight";
        var w = named_parameters().First(p => p.name == weight).parameter;
        return w.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
    }
}
