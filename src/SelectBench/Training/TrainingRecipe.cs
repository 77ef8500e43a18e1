using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SelectBench.Common;
using SelectBench.Models;

namespace SelectBench.Training;

/// <summary>
/// Batched augmentation applied to every training batch (see <see cref="BatchAugmenter"/>).
/// </summary>
/// <param name="Crop">"pad" = random crop of the zero-padded image (CIFAR-style), "resized" =
/// random-resized-crop (ImageNet-style), "none", or "auto" = "pad" below 64 pixels per side, else "resized".</param>
/// <param name="CropPadding">Zero padding on each side for "pad" crops, in pixels.</param>
/// <param name="HorizontalFlip">Flip half of the images left-right. Label-preserving for Fashion-MNIST
/// (garments, shoes and bags have no handedness) and for natural images.</param>
/// <param name="ResizedCropMinScale">Smallest crop area, as a fraction of the image, for "resized" crops
/// (torchvision's default is 0.08; 0.25 suits small images better).</param>
public sealed record AugmentationSettings(
    string Crop = "auto",
    int CropPadding = 2,
    bool HorizontalFlip = true,
    double ResizedCropMinScale = 0.25)
{
    public static readonly string[] CropModes = ["auto", "pad", "resized", "none"];

    /// <summary>The crop that applies to images of this size ("auto" resolved).</summary>
    public string CropFor(int height, int width) =>
        Crop != "auto" ? Crop : Math.Min(height, width) < 64 ? "pad" : "resized";
}

/// <summary>
/// The fixed training setup every shift gets (docs/architecture.md#vocabulary: "recipe"). Plain data with defaults;
/// <see cref="Validate"/> names the bad field. The recipe's hash (<see cref="Hash"/>) guards resume.
/// </summary>
/// <param name="Model">Zoo name (<see cref="ModelZoo.Names"/>).</param>
/// <param name="Width">Width multiplier of the model's filters.</param>
/// <param name="LearningRate">Peak learning rate (after warm-up), for <see cref="BatchSize"/>.</param>
/// <param name="WarmupEpochs">Linear warm-up length in epochs (may be fractional).</param>
/// <param name="LabelSmoothing">Szegedy et al. 2016 label smoothing epsilon.</param>
/// <param name="ClassWeightedLoss">Weight the loss by <see cref="ClassWeights.InverseFrequency"/>.</param>
/// <param name="ClassBalancedSampler">Draw each epoch's N samples with replacement, every class equally likely.</param>
/// <param name="MixupAlpha">Beta(alpha, alpha) mixup (Zhang et al. 2018); 0 = off.</param>
/// <param name="CutmixAlpha">Beta(alpha, alpha) cutmix (Yun et al. 2019); 0 = off. With both on, each batch
/// picks one of the two with probability 1/2, as timm's Mixup does (switch_prob 0.5).</param>
/// <param name="Seed">Seeds three separate generators: initial weights, data order, augmentation.</param>
/// <param name="Device">"cpu" or "cuda".</param>
/// <param name="Threads">Intra-op CPU threads; 0 = libtorch's default.</param>
/// <param name="Init">A PyTorch state dict (.pth) of a torchvision-layout ResNet to start from instead of random weights
/// (resnet18/resnet50 only; docs/encoders.md, "PyTorch weights"); null = random init. Left out of the JSON when null,
/// so recipes without it keep their hash.</param>
public sealed record TrainingRecipe(
    string Model = "resnet20",
    double Width = 1.0,
    int Epochs = 15,
    int BatchSize = 128,
    double LearningRate = 0.1,
    double Momentum = 0.9,
    bool Nesterov = true,
    double WeightDecay = 5e-4,
    double WarmupEpochs = 1,
    double LabelSmoothing = 0.0,
    bool ClassWeightedLoss = false,
    bool ClassBalancedSampler = false,
    AugmentationSettings? Augmentation = null,
    double MixupAlpha = 0,
    double CutmixAlpha = 0,
    int Seed = 0,
    string Device = "cpu",
    int Threads = 0,
    string? Init = null)
{
    public AugmentationSettings Augmentation { get; init; } = Augmentation ?? new AugmentationSettings();

    /// <summary>
    /// "default": the recipe every shift gets. ResNet-20, 15 epochs of SGD (batch 128, peak lr 0.1,
    /// Nesterov momentum 0.9, weight decay 5e-4), 1 warm-up epoch then cosine to 0, random crop with 2-pixel
    /// padding and horizontal flip. Meant to reach at least 92% test top-1 on the full Fashion-MNIST train set
    /// (ResNet-20 on Fashion-MNIST typically lands around 93-94% with such a schedule).
    /// </summary>
    public static TrainingRecipe Default { get; } = new();

    /// <summary>
    /// "quick": a few minutes on a 2,000-image subset on a laptop CPU. ResNet-20, 15 epochs, batch 64,
    /// peak lr 0.05, Nesterov momentum 0.9, weight decay 5e-4, 1 warm-up epoch, cosine, crop + flip.
    /// </summary>
    public static TrainingRecipe Quick { get; } = new(Epochs: 15, BatchSize: 64, LearningRate: 0.05);

    public static IReadOnlyDictionary<string, TrainingRecipe> Presets { get; } = new Dictionary<string, TrainingRecipe>
    {
        ["default"] = Default,
        ["quick"] = Quick,
    };

    /// <summary>A preset by name, or an error listing the presets.</summary>
    public static TrainingRecipe Preset(string name) =>
        Presets.TryGetValue(name, out var r) ? r
            : throw new SelectBenchException($"Unknown recipe '{name}'. Presets: {string.Join(", ", Presets.Keys)}; or give a .json/.yaml recipe file.");

    /// <summary>Throws a <see cref="SelectBenchException"/> naming the first invalid field, its value and what is allowed.</summary>
    public TrainingRecipe Validate()
    {
        static void Require(bool ok, string field, object value, string allowed)
        {
            if (!ok) throw new SelectBenchException(
                $"Recipe field '{field}' = {Convert.ToString(value, CultureInfo.InvariantCulture)} is invalid: {allowed}.");
        }
        Require(ModelZoo.Contains(Model), "model", Model, $"known models are {string.Join(", ", ModelZoo.Names)}");
        Require(Width > 0 && Width <= 16 && double.IsFinite(Width), "width", Width, "must be in (0, 16]");
        Require(Epochs >= 1, "epochs", Epochs, "must be at least 1");
        Require(BatchSize >= 1, "batch_size", BatchSize, "must be at least 1");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "learning_rate", LearningRate, "must be a positive number");
        Require(Momentum >= 0 && Momentum < 1, "momentum", Momentum, "must be in [0, 1)");
        Require(!Nesterov || Momentum > 0, "nesterov", Nesterov, "Nesterov momentum needs momentum > 0");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), "weight_decay", WeightDecay, "must be >= 0");
        Require(WarmupEpochs >= 0 && WarmupEpochs < Epochs, "warmup_epochs", WarmupEpochs, $"must be in [0, epochs = {Epochs})");
        Require(LabelSmoothing >= 0 && LabelSmoothing < 1, "label_smoothing", LabelSmoothing, "must be in [0, 1)");
        Require(MixupAlpha >= 0 && double.IsFinite(MixupAlpha), "mixup_alpha", MixupAlpha, "must be >= 0 (0 = off)");
        Require(CutmixAlpha >= 0 && double.IsFinite(CutmixAlpha), "cutmix_alpha", CutmixAlpha, "must be >= 0 (0 = off)");
        Require(Device is "cpu" or "cuda", "device", Device, "use 'cpu' or 'cuda'");
        Require(Threads >= 0, "threads", Threads, "must be >= 0 (0 = libtorch default)");
        if (Init is not null)
        {
            Require(Init.EndsWith(".pth", StringComparison.OrdinalIgnoreCase) || Init.EndsWith(".pt", StringComparison.OrdinalIgnoreCase),
                "init", Init, "give a PyTorch state dict file ending in .pth or .pt");
            Require(File.Exists(Init), "init", Init, "file not found");
            Require(TorchvisionWeights.HasTorchvisionLayout(Model), "init", Init, $"starting from PyTorch weights needs model resnet18 or resnet50, not {Model}");
        }
        Require(AugmentationSettings.CropModes.Contains(Augmentation.Crop), "augmentation.crop", Augmentation.Crop,
            $"use one of {string.Join(", ", AugmentationSettings.CropModes)}");
        Require(Augmentation.CropPadding >= 0, "augmentation.crop_padding", Augmentation.CropPadding, "must be >= 0");
        Require(Augmentation.ResizedCropMinScale > 0 && Augmentation.ResizedCropMinScale <= 1,
            "augmentation.resized_crop_min_scale", Augmentation.ResizedCropMinScale, "must be in (0, 1]");
        return this;
    }

    /// <summary>
    /// The fields that decide the trained weights, as snake_case JSON. Device and threads are left out:
    /// they change speed, not the recipe (a run may resume on another machine).
    /// </summary>
    public JsonObject IdentityJson()
    {
        var node = JsonSerializer.SerializeToNode(this, Json.Options)!.AsObject();
        node.Remove("device");
        node.Remove("threads");
        return node;
    }

    /// <summary>SHA-256 of <see cref="IdentityJson"/>; stored in checkpoints to refuse a resume under another recipe.</summary>
    public string Hash() =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(IdentityJson().ToJsonString())));

    /// <summary>Names the fields whose values differ, e.g. "epochs: 30 -> 10".</summary>
    public static IReadOnlyList<string> Differences(JsonObject before, JsonObject after)
    {
        var diffs = new List<string>();
        void Walk(JsonObject a, JsonObject b, string prefix)
        {
            foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)).OrderBy(k => k, StringComparer.Ordinal))
            {
                var va = a[key];
                var vb = b[key];
                if (va is JsonObject oa && vb is JsonObject ob) { Walk(oa, ob, prefix + key + "."); continue; }
                var ta = va?.ToJsonString() ?? "(none)";
                var tb = vb?.ToJsonString() ?? "(none)";
                if (ta != tb) diffs.Add($"{prefix}{key}: {ta} -> {tb}");
            }
        }
        Walk(before, after, "");
        return diffs;
    }

    /// <summary>
    /// Loads a recipe file (.json, or .yaml/.yml) with snake_case keys; missing keys keep the defaults.
    /// Unknown keys are an error that names them (a typo must not silently train something else).
    /// </summary>
    public static TrainingRecipe Load(string path)
    {
        if (!File.Exists(path)) throw new SelectBenchException($"Recipe file '{path}' not found.");
        var ext = Path.GetExtension(path).ToLowerInvariant();
        JsonNode? node;
        try
        {
            node = ext switch
            {
                ".json" => JsonNode.Parse(File.ReadAllText(path)),
                ".yaml" or ".yml" => YamlToJson(File.ReadAllText(path), $"Recipe file '{path}'"),
                _ => throw new SelectBenchException($"Recipe file '{path}': use a .json, .yaml or .yml file."),
            };
        }
        catch (JsonException e)
        {
            throw new SelectBenchException($"Recipe file '{path}' cannot be parsed: {e.Message}", e);
        }
        if (node is not JsonObject obj) throw new SelectBenchException($"Recipe file '{path}' must hold a mapping of recipe fields.");
        var known = Default.IdentityJson().Select(p => p.Key).Append("device").Append("threads").Append("init").ToHashSet();
        var knownAug = JsonSerializer.SerializeToNode(new AugmentationSettings(), Json.Options)!.AsObject().Select(p => p.Key).ToHashSet();
        foreach (var (key, value) in obj)
        {
            if (!known.Contains(key))
                throw new SelectBenchException($"Recipe file '{path}': unknown field '{key}'. Known fields: {string.Join(", ", known.Order())}.");
            if (key == "augmentation" && value is JsonObject aug)
                foreach (var (k, _) in aug)
                    if (!knownAug.Contains(k))
                        throw new SelectBenchException($"Recipe file '{path}': unknown field 'augmentation.{k}'. Known: {string.Join(", ", knownAug.Order())}.");
        }
        // Start from the default recipe's JSON so omitted fields keep their defaults (records deserialise
        // through the constructor, whose defaults System.Text.Json honours only for present parameters).
        var merged = JsonSerializer.SerializeToNode(Default, Json.Options)!.AsObject();
        foreach (var (key, value) in obj)
        {
            if (key == "augmentation" && value is JsonObject aug)
                foreach (var (k, v) in aug) merged["augmentation"]![k] = v?.DeepClone();
            else merged[key] = value?.DeepClone();
        }
        try
        {
            return (merged.Deserialize<TrainingRecipe>(Json.Options)
                    ?? throw new SelectBenchException($"Recipe file '{path}' is empty.")).Validate();
        }
        catch (JsonException e)
        {
            throw new SelectBenchException($"Recipe file '{path}': {e.Path?.TrimStart('$', '.')} has the wrong type ({e.Message}).", e);
        }
    }

    private static JsonNode? YamlToJson(string yaml, string where)
    {
        return ToNode(SafeYaml.Parse(yaml, where));

        static JsonNode? ToNode(object? o) => o switch
        {
            null => null,
            IReadOnlyDictionary<string, object?> map => new JsonObject(map.Select(kv => KeyValuePair.Create(kv.Key, ToNode(kv.Value)))),
            IReadOnlyList<object?> list => new JsonArray(list.Select(ToNode).ToArray()),
            string s when bool.TryParse(s, out var b) => JsonValue.Create(b),
            string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            string s => JsonValue.Create(s),
            _ => JsonValue.Create(o.ToString()),
        };
    }
}
