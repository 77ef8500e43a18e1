using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using SelectBench.Common;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SelectBench.Models;

/// <summary>
/// PyTorch <c>.pth</c> state dicts of torchvision-layout ResNets (torchvision/models/resnet.py; timm's and DINO's
/// ResNets use the same names) read into and written from <see cref="ImageNetResNet"/>, through TorchSharp.PyBridge's
/// pickle reader and writer (docs/encoders.md, "PyTorch weights").
///
/// Our module tree differs from torchvision's only in names: the stages are one Sequential <c>stages</c> of blocks
/// <c>layer{s}_{b}</c> where torchvision has <c>layer{s}.{b}</c>, and a projection shortcut is
/// <c>downsample.conv</c>/<c>downsample.bn</c> where torchvision has <c>downsample.0</c>/<c>downsample.1</c>. Every
/// layer has the same hyper-parameters (7x7/2 stem, 3x3/2 max pool with padding 1, the stride on the bottleneck's 3x3,
/// batch norm with eps 1e-5 and momentum 0.1, running statistics and <c>num_batches_tracked</c>), so the same tensors
/// give the same logits. Zero-initialised residual batch norms (torchvision's <c>zero_init_residual</c>) only change
/// the initial values, never the layout, so they need nothing here.
/// </summary>
public static partial class TorchvisionWeights
{
    [GeneratedRegex(@"^stages\.layer(\d+)_(\d+)\.")]
    private static partial Regex OurBlock();

    [GeneratedRegex(@"^layer(\d+)\.(\d+)\.")]
    private static partial Regex TorchvisionBlock();

    /// <summary>Prefixes that wrappers put before the backbone's names: DDP's <c>module.</c>, DINO's <c>backbone.</c>.</summary>
    private static readonly string[] WrapperPrefixes = ["module.", "backbone."];

    /// <summary>Our state-dict name to torchvision's: <c>stages.layer2_0.downsample.conv.weight</c> to <c>layer2.0.downsample.0.weight</c>.</summary>
    public static string ToTorchvision(string name)
    {
        name = OurBlock().Replace(name, "layer$1.$2.");
        return name.Replace(".downsample.conv.", ".downsample.0.", StringComparison.Ordinal)
                   .Replace(".downsample.bn.", ".downsample.1.", StringComparison.Ordinal);
    }

    /// <summary>Torchvision's state-dict name to ours (the inverse of <see cref="ToTorchvision"/>).</summary>
    public static string FromTorchvision(string name)
    {
        name = TorchvisionBlock().Replace(name, "stages.layer$1_$2.");
        return name.Replace(".downsample.0.", ".downsample.conv.", StringComparison.Ordinal)
                   .Replace(".downsample.1.", ".downsample.bn.", StringComparison.Ordinal);
    }

    /// <summary>
    /// Reads a <c>torch.save(model.state_dict(), path)</c> file (the zip format of PyTorch 1.6 and later) into
    /// torchvision-named CPU tensors. A <c>module.</c> or <c>backbone.</c> prefix shared by every key is removed.
    /// </summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new SelectBenchException($"PyTorch weights '{path}' not found.");
        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (NotImplementedException e)
        {
            throw new BadInputException(path, $"cannot be read as a PyTorch state dict ({e.Message}). Save the weights alone, " +
                "in PyTorch's zip format: torch.save(model.state_dict(), path).", e);
        }
        catch (Exception e) when (e is InvalidDataException or InvalidCastException or InvalidOperationException or IOException)
        {
            throw new BadInputException(path, $"is not a PyTorch state dict saved with torch.save(model.state_dict(), path) ({e.Message}).", e);
        }
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
            if (entry.Key is string key && entry.Value is Tensor t) tensors[key] = t;
        if (tensors.Count == 0) throw new BadInputException(path, "holds no tensors; save the model's state_dict(), not a dict of other objects.");
        foreach (var prefix in WrapperPrefixes)
            if (tensors.Keys.All(k => k.StartsWith(prefix, StringComparison.Ordinal)))
                tensors = tensors.ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        return tensors;
    }

    /// <summary>
    /// The architecture a torchvision-named ResNet state dict describes: bottleneck or basic blocks, blocks per
    /// stage, input channels, width multiplier (stem filters / 64), classes (0 when the dict has no <c>fc</c>, as DINO's
    /// backbone has none) and whether the stem is the small-input 3x3 one.
    /// </summary>
    public static ResNetShape InferShape(IReadOnlyDictionary<string, Tensor> weights, string path)
    {
        if (!weights.TryGetValue("conv1.weight", out var stem) || stem.dim() != 4)
            throw new BadInputException(path, "has no 4-D 'conv1.weight': not a torchvision-layout ResNet state dict.");
        bool bottleneck = weights.ContainsKey("layer1.0.conv3.weight");
        var blocks = new int[4];
        for (int s = 0; s < 4; s++)
        {
            while (weights.ContainsKey($"layer{s + 1}.{blocks[s]}.conv1.weight")) blocks[s]++;
            if (blocks[s] == 0) throw new BadInputException(path, $"has no 'layer{s + 1}.0.conv1.weight': a ResNet has four stages layer1..layer4.");
        }
        int classes = weights.TryGetValue("fc.weight", out var fc) ? (int)fc.shape[0] : 0;
        return new ResNetShape(bottleneck, blocks, (int)stem.shape[1], stem.shape[0] / 64.0, classes, SmallInputStem: stem.shape[2] == 3);
    }

    /// <summary>A fresh <see cref="ImageNetResNet"/> of the shape <paramref name="weights"/> describe, holding them (in eval mode).</summary>
    public static ImageNetResNet Build(IReadOnlyDictionary<string, Tensor> weights, string path)
    {
        var shape = InferShape(weights, path);
        var model = new ImageNetResNet(shape.Bottleneck, shape.Blocks, shape.Channels, Math.Max(1, shape.Classes), shape.Width, shape.SmallInputStem);
        try
        {
            Load(model, weights, path, includeHead: shape.Classes > 0);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>
    /// Copies torchvision-named <paramref name="weights"/> into <paramref name="model"/>, as PyTorch's
    /// <c>load_state_dict(strict=True)</c> would; with <paramref name="includeHead"/> false the <c>fc</c> entries are
    /// neither required nor used (a fixed encoder, or an initialisation for another class count). Nothing is copied
    /// unless everything fits: an error names every missing, unexpected and mis-shaped key.
    /// </summary>
    public static void Load(ClassifierNet model, IReadOnlyDictionary<string, Tensor> weights, string path, bool includeHead = true)
    {
        static bool IsHead(string torchvisionName) => torchvisionName.StartsWith("fc.", StringComparison.Ordinal);
        var ours = model.state_dict();
        var wanted = ours.ToDictionary(kv => ToTorchvision(kv.Key), kv => kv.Value, StringComparer.Ordinal);
        var missing = wanted.Keys.Where(k => (includeHead || !IsHead(k)) && !weights.ContainsKey(k)).ToList();
        var unexpected = weights.Keys.Where(k => !wanted.ContainsKey(k) && (includeHead || !IsHead(k))).ToList();
        var misShaped = wanted.Where(kv => (includeHead || !IsHead(kv.Key)) && weights.TryGetValue(kv.Key, out var t) && !t.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"{kv.Key} {Shape(weights[kv.Key])} (the model needs {Shape(kv.Value)})").ToList();
        if (missing.Count + unexpected.Count + misShaped.Count > 0)
        {
            var problems = new List<string>();
            if (missing.Count > 0) problems.Add($"missing keys: {List(missing)}");
            if (unexpected.Count > 0) problems.Add($"unexpected keys: {List(unexpected)}");
            if (misShaped.Count > 0) problems.Add($"mis-shaped: {List(misShaped)}");
            throw new BadInputException(path, $"the weights do not fit a {model.GetName()} of this shape: {string.Join("; ", problems)}. " +
                "Give a torchvision-layout ResNet state dict of the same depth and width (docs/encoders.md, \"PyTorch weights\").");
        }
        using var _ = no_grad();
        foreach (var (name, target) in wanted)
            if (includeHead || !IsHead(name))
                target.copy_(weights[name].to(target.dtype));
    }

    /// <summary>Reads <paramref name="path"/> and loads it into <paramref name="model"/> (see <see cref="Load"/>), freeing the read tensors.</summary>
    public static void LoadFile(ClassifierNet model, string path, bool includeHead)
    {
        var weights = Read(path);
        try
        {
            Load(model, weights, path, includeHead);
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }

    /// <summary>True when zoo model <paramref name="model"/> has torchvision's ResNet layout (resnet18, resnet50).</summary>
    public static bool HasTorchvisionLayout(string model) =>
        ModelArchitectures.Registry.Contains(model) && ModelArchitectures.Registry.Create(model, where: "model") is ITorchvisionLayout;

    /// <summary>
    /// Starts training from <paramref name="path"/> (the recipe's <c>init</c>): every backbone tensor must fit (else the
    /// error of <see cref="Load"/>); the <c>fc</c> layer is taken too when the file has one of the model's shape (the same
    /// classes), and otherwise keeps its fresh initialisation (DINO's backbone has none; an ImageNet classifier has
    /// 1,000 classes where a shift may have fewer).
    /// </summary>
    public static void Initialise(ClassifierNet model, string path)
    {
        if (model is not ImageNetResNet)
            throw new BadInputException(path, $"init weights need a torchvision-layout ResNet (resnet18, resnet50), not a {model.GetName()}.");
        var weights = Read(path);
        try
        {
            var fc = model.state_dict().Where(kv => kv.Key.StartsWith("fc.", StringComparison.Ordinal)).ToList();
            bool headFits = fc.All(kv => weights.TryGetValue(kv.Key, out var t) && t.shape.SequenceEqual(kv.Value.shape));
            if (!headFits)
                foreach (var key in weights.Keys.Where(k => k.StartsWith("fc.", StringComparison.Ordinal)).ToList())
                {
                    weights[key].Dispose();
                    weights.Remove(key);
                }
            Load(model, weights, path, includeHead: headFits);
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Writes <paramref name="model"/>'s state dict under torchvision's names as a PyTorch zip file that
    /// <c>torchvision.models.resnet50().load_state_dict(torch.load(path), strict=True)</c> accepts (resnet18 likewise),
    /// written to a temporary file and renamed.
    /// </summary>
    public static void Write(ImageNetResNet model, string path)
    {
        var table = new Hashtable();
        var copies = new List<Tensor>();
        try
        {
            foreach (var (name, tensor) in model.state_dict())
            {
                var copy = tensor.detach().cpu().contiguous().clone();
                copies.Add(copy);
                table[ToTorchvision(name)] = copy;
            }
            AtomicFile.Write(path, s => PyTorchPickler.PickleStateDict(s, table, leaveOpen: true));
        }
        finally
        {
            foreach (var t in copies) t.Dispose();
        }
    }

    private static string Shape(Tensor t) => "[" + string.Join(", ", t.shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static string List(IReadOnlyList<string> items) =>
        items.Count <= 12 ? string.Join(", ", items) : string.Join(", ", items.Take(12)) + $" and {items.Count - 12} more";
}

/// <summary>What a torchvision-layout ResNet state dict says about its network (<see cref="TorchvisionWeights.InferShape"/>).</summary>
public sealed record ResNetShape(bool Bottleneck, int[] Blocks, int Channels, double Width, int Classes, bool SmallInputStem);
