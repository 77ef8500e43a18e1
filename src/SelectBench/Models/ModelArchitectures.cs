using SelectBench.Common;
using static TorchSharp.torch;

namespace SelectBench.Models;

/// <summary>
/// One network architecture, registered by name like timm's <c>@register_model</c>: it builds a freshly
/// initialised classifier for a given input depth, class count and width multiplier. The arguments are checked
/// by <see cref="ModelZoo.Create(string, int, int, double, Generator?)"/>.
/// </summary>
public interface IModelArchitecture
{
    ClassifierNet Build(int channels, int classes, double width, Generator? generator);
}

/// <summary>
/// Marks an architecture built as an <see cref="ImageNetResNet"/>, whose weights map one to one onto torchvision's ResNet
/// (<see cref="TorchvisionWeights"/>): it can start from a <c>.pth</c> (<c>init</c>) and be exported with <c>selectbench export</c>.
/// </summary>
public interface ITorchvisionLayout;

/// <summary>The architectures, found by name (<c>selectbench list models</c>).</summary>
public static class ModelArchitectures
{
    public static Registry<IModelArchitecture> Registry { get; } = new("model");
}

/// <summary>He et al. 2016, section 4.2: the CIFAR ResNets have depth 6n + 2, with n blocks in each of 3 stages.</summary>
public abstract class CifarResNetDepth(int blocksPerStage) : IModelArchitecture
{
    public ClassifierNet Build(int channels, int classes, double width, Generator? generator) =>
        new CifarResNet(blocksPerStage, channels, classes, width, generator);
}

[Registered("resnet20", Description = "CIFAR ResNet-20 (He et al. 2016, section 4.2: n = 3), 0.27M parameters at 10 classes")]
public sealed class ResNet20() : CifarResNetDepth(3);

[Registered("resnet32", Description = "CIFAR ResNet-32 (He et al. 2016, section 4.2: n = 5), 0.46M parameters at 10 classes")]
public sealed class ResNet32() : CifarResNetDepth(5);

[Registered("resnet56", Description = "CIFAR ResNet-56 (He et al. 2016, section 4.2: n = 9), 0.85M parameters at 10 classes")]
public sealed class ResNet56() : CifarResNetDepth(9);

/// <summary>He et al. 2016, Table 1: ResNet-18 has basic blocks [2, 2, 2, 2].</summary>
[Registered("resnet18", Description = "ImageNet ResNet-18 (He et al. 2016, Table 1: basic blocks [2, 2, 2, 2]), 512 features")]
public sealed class ResNet18 : IModelArchitecture, ITorchvisionLayout
{
    public ClassifierNet Build(int channels, int classes, double width, Generator? generator) =>
        new ImageNetResNet(false, [2, 2, 2, 2], channels, classes, width, generator: generator);
}

/// <summary>He et al. 2016, Table 1: ResNet-50 has bottleneck blocks [3, 4, 6, 3].</summary>
[Registered("resnet50", Description = "ImageNet ResNet-50 (He et al. 2016, Table 1: bottleneck blocks [3, 4, 6, 3]), 2048 features")]
public sealed class ResNet50 : IModelArchitecture, ITorchvisionLayout
{
    public ClassifierNet Build(int channels, int classes, double width, Generator? generator) =>
        new ImageNetResNet(true, [3, 4, 6, 3], channels, classes, width, generator: generator);
}
