using SelectBench.Engine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using SelectBench.Common;
using SelectBench.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace SelectBench.Curation.Generators;

/// <summary>Training settings of the built-in generator; saved in its manifest.</summary>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="BatchSize">Images per Adam step.</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="KlWeight">Weight of the KL term (1 is the plain ELBO; below 1 trades sample diversity for sharper reconstructions).</param>
/// <param name="Seed">Seeds weight initialisation, batch order and the reparameterisation noise.</param>
public sealed record CvaeTrainingSettings(int Epochs = 15, int BatchSize = 128, double LearningRate = 1e-3, double KlWeight = 1.0, long Seed = 0)
{
    public void Validate()
    {
        if (Epochs < 1) throw new SelectBenchException($"generator training: epochs = {Epochs}; use 1 or more.");
        if (BatchSize < 1) throw new SelectBenchException($"generator training: batch_size = {BatchSize}; use 1 or more.");
        if (!(LearningRate > 0)) throw new SelectBenchException($"generator training: learning_rate = {LearningRate}; use a positive number such as 0.001.");
        if (!(KlWeight >= 0)) throw new SelectBenchException($"generator training: kl_weight = {KlWeight}; use a number >= 0 (1 is the ELBO).");
    }
}

/// <summary>What training did, measured; saved in the manifest.</summary>
/// <param name="Images">Training images.</param>
/// <param name="Steps">Adam steps taken.</param>
/// <param name="Seconds">Wall-clock training time.</param>
/// <param name="CpuSeconds">Process CPU time during training (all threads): unlike wall time, it does not grow when other jobs share the machine.</param>
/// <param name="Threads">Torch intra-op threads during training.</param>
/// <param name="FinalReconstruction">Mean binary cross-entropy per image (summed over pixels) in the last epoch.</param>
/// <param name="FinalKl">Mean KL(q(z|x,y) || N(0, I)) per image in the last epoch.</param>
public sealed record CvaeTrainingReport(int Images, int Steps, double Seconds, double CpuSeconds, int Threads, double FinalReconstruction, double FinalKl);

/// <summary>The manifest saved next to the weights: everything needed to rebuild the network and check the data it serves.</summary>
public sealed record CvaeManifest(
    int FormatVersion, string Name, string Kind, CvaeArchitecture Architecture,
    string[] ClassNames, string[] ClassIds, int Channels, int Height, int Width,
    CvaeTrainingSettings Training, CvaeTrainingReport Report, string WeightsFile);

/// <summary>
/// The built-in generator of the <c>synthetic</c> strategy: a class-conditional VAE trained with TorchSharp on
/// any labelled <see cref="ImageSet"/>. A small, CPU-trainable stand-in for SELECT's Stable Diffusion
/// (SD1000 shifts), so its outputs are marked <see cref="SampleProvenance.Simulated"/>.
/// <list type="bullet">
/// <item>txt2img: z ~ N(0, I), decoded under the class.</item>
/// <item>img2img with strength s: z = sqrt(1 - s) mu + sqrt(s) eps, where mu is the posterior mean of the
/// prompt image under its class and eps ~ N(0, I); decoded under the prompt's class. This is the
/// variance-preserving mix of DDPM's forward process (Ho et al. 2020, eq. 4, with alpha-bar = 1 - s), which
/// is also how Stable Diffusion's img2img noises the encoded prompt to a strength: s = 0 decodes mu (the
/// reconstruction), s = 1 is a pure class sample independent of the prompt.</item>
/// </list>
/// Pixels are decoded as the Bernoulli mean, sigmoid(logits), scaled to 0..255.
/// </summary>
public sealed class ConditionalVaeGenerator : IImageGenerator, IDisposable
{
    public const int FormatVersion = 1;
    private const string ManifestFile = "manifest.json";
    private const string WeightsFile = "weights.dat";
    private const int GenerationBatch = 256;

    private readonly ConditionalVae _model;

    public string Name { get; }
    public LabelSet LabelSet { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public CvaeArchitecture Architecture { get; }
    public CvaeTrainingSettings Training { get; }
    public CvaeTrainingReport Report { get; }

    private ConditionalVaeGenerator(string name, ConditionalVae model, LabelSet labelSet, int channels, int height, int width,
                                    CvaeArchitecture architecture, CvaeTrainingSettings training, CvaeTrainingReport report)
    {
        Name = name;
        _model = model;
        LabelSet = labelSet;
        Channels = channels;
        Height = height;
        Width = width;
        Architecture = architecture;
        Training = training;
        Report = report;
    }

    /// <summary>Trains a generator on a labelled set (in FashionMNIST++: part G). Shows a progress bar with ETA.</summary>
    public static ConditionalVaeGenerator Train(ImageSet data, CvaeTrainingSettings? settings = null,
                                                CvaeArchitecture? architecture = null, string name = "cvae")
    {
        settings ??= new CvaeTrainingSettings();
        architecture ??= new CvaeArchitecture();
        settings.Validate();
        CheckShape(data.Height, data.Width, "training set");
        if (data.Count == 0) throw new SelectBenchException("generator training: the training set is empty.");

        var clock = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        torch.random.manual_seed(settings.Seed);
        var model = new ConditionalVae(architecture, data.LabelSet.Count, data.Channels, data.Height, data.Width);
        model.train();
        using var optimizer = new ScalarSafeAdam(model.parameters(), settings.LearningRate);

        var pixels = ToUnitFloats(data.InMemory().Pixels);
        var order = Enumerable.Range(0, data.Count).ToArray();
        var shuffle = new Random(unchecked((int)settings.Seed));
        int batchesPerEpoch = (data.Count + settings.BatchSize - 1) / settings.BatchSize;
        int size = data.ImageSize;
        double epochRec = 0, epochKl = 0;
        using var progress = new ProgressBar($"train generator '{name}'", (long)settings.Epochs * batchesPerEpoch);
        for (int epoch = 0; epoch < settings.Epochs; epoch++)
        {
            shuffle.Shuffle(order);
            epochRec = 0;
            epochKl = 0;
            for (int start = 0; start < data.Count; start += settings.BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                int b = Math.Min(settings.BatchSize, data.Count - start);
                var xs = new float[b * size];
                var ys = new long[b];
                for (int k = 0; k < b; k++)
                {
                    int i = order[start + k];
                    pixels.AsSpan(i * size, size).CopyTo(xs.AsSpan(k * size, size));
                    ys[k] = data.Labels[i];
                }
                var x = torch.tensor(xs, [b, data.Channels, data.Height, data.Width]);
                var y = torch.tensor(ys);
                var (mu, logVar) = model.Encode(x, y);
                var z = Scalars.Add(mu, Scalars.Mul(logVar, 0.5).exp().mul(torch.randn_like(mu)));
                var logits = model.DecodeLogits(z, y);
                // Negative ELBO per image: Bernoulli reconstruction term plus the closed-form Gaussian KL
                // (Kingma and Welling 2014, appendix B).
                var rec = Scalars.DivInPlace(nn.functional.binary_cross_entropy_with_logits(logits, x, reduction: nn.Reduction.Sum), b);
                var klTerms = Scalars.AddConstant(logVar, 1).sub_(Scalars.Pow(mu, 2)).sub_(logVar.exp());
                var kl = Scalars.DivInPlace(Scalars.MulInPlace(torch.sum(klTerms), -0.5), b);
                var loss = Scalars.Add(rec, Scalars.Mul(kl, settings.KlWeight));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                double recValue = rec.item<float>(), klValue = kl.item<float>();
                epochRec += recValue * b;
                epochKl += klValue * b;
                progress.Advance(1, $"epoch {epoch + 1}/{settings.Epochs} rec {recValue:F1} kl {klValue:F1}");
            }
        }
        model.eval();
        var report = new CvaeTrainingReport(data.Count, settings.Epochs * batchesPerEpoch, clock.Elapsed.TotalSeconds,
            (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds,
            torch.get_num_threads(), epochRec / data.Count, epochKl / data.Count);
        return new ConditionalVaeGenerator(name, model, data.LabelSet, data.Channels, data.Height, data.Width,
            architecture, settings, report);
    }

    public ImageSet FromClassPrompts(LabelSet labels, int[] perClassCounts, long seed)
    {
        if (perClassCounts.Length != labels.Count)
            throw new SelectBenchException($"generator '{Name}': {perClassCounts.Length} per-class counts for {labels.Count} classes; give one count per class.");
        int total = 0;
        for (int c = 0; c < labels.Count; c++)
        {
            if (perClassCounts[c] < 0) throw new SelectBenchException($"generator '{Name}': count {perClassCounts[c]} for class '{labels.Names[c]}' is negative.");
            total += perClassCounts[c];
        }
        var modelClass = MapClasses(labels, perClassCounts);
        var outLabels = new int[total];
        var modelLabels = new long[total];
        var latents = new float[total * _model.LatentDimension];
        var ids = new string[total];
        var provenance = new SampleProvenance[total];
        int n = 0;
        for (int c = 0; c < labels.Count; c++)
            for (int j = 0; j < perClassCounts[c]; j++, n++)
            {
                // Stream = class index, index = j: the j-th image of a class is the same however many other classes are asked for.
                long sampleSeed = SampleSeeds.Mix(seed, c, j);
                SampleSeeds.FillGaussian(sampleSeed, latents.AsSpan(n * _model.LatentDimension, _model.LatentDimension));
                outLabels[n] = c;
                modelLabels[n] = modelClass[c];
                ids[n] = string.Create(CultureInfo.InvariantCulture, $"{Name}/txt2img/{labels.Ids[c]}/{seed}/{j}");
                provenance[n] = new SampleProvenance($"generator:{Name}", ids[n], QueryId: labels.Names[c],
                    GeneratorSeed: sampleSeed, Simulated: true, Note: $"txt2img class prompt: {labels.Names[c]}");
            }
        var pixels = Decode(latents, modelLabels);
        return new ImageSet(pixels, outLabels, labels, Channels, Height, Width, ids, provenance);
    }

    public ImageSet FromImagePrompts(ImageSet prompts, double strength, long seed)
    {
        if (!(strength >= 0 && strength <= 1))
            throw new SelectBenchException($"generator '{Name}': img2img strength {strength} is outside [0, 1] (0 keeps the prompt, 1 ignores it).");
        if (prompts.Channels != Channels || prompts.Height != Height || prompts.Width != Width)
            throw new SelectBenchException($"generator '{Name}' makes {Channels}x{Height}x{Width} images but the prompts are " +
                                           $"{prompts.Channels}x{prompts.Height}x{prompts.Width}; resize the prompts or train a generator on that shape.");
        var used = prompts.ClassCounts();
        var modelClass = MapClasses(prompts.LabelSet, used);
        int n = prompts.Count, d = _model.LatentDimension;
        var modelLabels = new long[n];
        for (int i = 0; i < n; i++) modelLabels[i] = modelClass[prompts.Labels[i]];
        var mu = EncodeMeans(prompts.InMemory().Pixels, modelLabels);
        var latents = new float[n * d];
        var noise = new float[d];
        var ids = new string[n];
        var provenance = new SampleProvenance[n];
        float keep = (float)Math.Sqrt(1 - strength), mix = (float)Math.Sqrt(strength);
        string strengthText = strength.ToString("0.###", CultureInfo.InvariantCulture);
        for (int i = 0; i < n; i++)
        {
            long sampleSeed = SampleSeeds.Mix(seed, -1, i);
            SampleSeeds.FillGaussian(sampleSeed, noise);
            var z = latents.AsSpan(i * d, d);
            TensorPrimitives.Multiply(mu.AsSpan(i * d, d), keep, z);
            TensorPrimitives.MultiplyAdd(noise, mix, z, z);
            ids[i] = $"{Name}/img2img/{prompts.Ids[i]}/s{strengthText}/{seed}";
            provenance[i] = new SampleProvenance($"generator:{Name}", ids[i], QueryId: prompts.Ids[i],
                GeneratorSeed: sampleSeed, Simulated: true, Note: $"img2img prompt image {prompts.Ids[i]} strength {strengthText}");
        }
        var pixels = Decode(latents, modelLabels);
        return new ImageSet(pixels, (int[])prompts.Labels.Clone(), prompts.LabelSet, Channels, Height, Width, ids, provenance);
    }

    /// <summary>Saves weights (TorchSharp state dict) and a JSON manifest into a folder; the manifest is written last.</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        File.Delete(Path.Combine(folder, ManifestFile));
        AtomicFile.Write(Path.Combine(folder, WeightsFile), s =>
        {
            using var writer = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
            _model.save(writer);
        });
        AtomicFile.WriteJson(Path.Combine(folder, ManifestFile), new CvaeManifest(
            FormatVersion, Name, "conditional-vae", Architecture, LabelSet.Names.ToArray(), LabelSet.Ids.ToArray(),
            Channels, Height, Width, Training, Report, WeightsFile));
    }

    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, ManifestFile));

    public static ConditionalVaeGenerator Load(string folder)
    {
        var manifestPath = Path.Combine(folder, ManifestFile);
        if (!File.Exists(manifestPath))
            throw new SelectBenchException($"{folder}: no generator here ({ManifestFile} missing). Train one first; a folder without a manifest is an interrupted save, delete it.");
        var m = Json.Read<CvaeManifest>(manifestPath);
        if (m.FormatVersion != FormatVersion || m.Kind != "conditional-vae")
            throw new SelectBenchException($"{manifestPath}: a '{m.Kind}' generator of format {m.FormatVersion}; this SelectBench reads conditional-vae format {FormatVersion}. Retrain it.");
        var weights = Path.Combine(folder, m.WeightsFile);
        if (!File.Exists(weights)) throw new BadInputException(weights, "missing; the generator folder is incomplete. Retrain it.");
        var labels = new LabelSet(m.ClassNames, m.ClassIds);
        var model = new ConditionalVae(m.Architecture, labels.Count, m.Channels, m.Height, m.Width);
        try
        {
            model.load(weights);
        }
        catch (Exception e) when (e is not SelectBenchException)
        {
            model.Dispose();
            throw new BadInputException(weights, $"cannot be read as the weights of the architecture in {ManifestFile} ({e.Message}). Retrain the generator.", e);
        }
        model.eval();
        return new ConditionalVaeGenerator(m.Name, model, labels, m.Channels, m.Height, m.Width, m.Architecture, m.Training, m.Report);
    }

    public void Dispose() => _model.Dispose();

    private static void CheckShape(int height, int width, string what)
    {
        if (height % 4 != 0 || width % 4 != 0)
            throw new SelectBenchException($"the conditional VAE needs image height and width divisible by 4 (two stride-2 layers); the {what} is {height}x{width}. Resize it first.");
    }

    /// <summary>Model class index for each class of <paramref name="labels"/> that is used, matched by name or id.</summary>
    private long[] MapClasses(LabelSet labels, int[] used)
    {
        var map = new long[labels.Count];
        for (int c = 0; c < labels.Count; c++)
        {
            int m = LabelSet.IndexOf(labels.Names[c]);
            if (m < 0) m = LabelSet.IndexOf(labels.Ids[c]);
            if (m < 0 && used[c] > 0)
                throw new SelectBenchException($"generator '{Name}' was not trained on class '{labels.Names[c]}' (it knows {string.Join(", ", LabelSet.Names)}); train it on data with that class.");
            map[c] = Math.Max(m, 0);
        }
        return map;
    }

    private float[] EncodeMeans(byte[] pixels, long[] modelLabels)
    {
        int n = modelLabels.Length, size = Channels * Height * Width, d = _model.LatentDimension;
        var result = new float[n * d];
        using var noGrad = torch.no_grad();
        for (int start = 0; start < n; start += GenerationBatch)
        {
            using var scope = torch.NewDisposeScope();
            int b = Math.Min(GenerationBatch, n - start);
            var x = torch.tensor(ToUnitFloats(pixels.AsSpan(start * size, b * size)), [b, Channels, Height, Width]);
            var y = torch.tensor(modelLabels.AsSpan(start, b).ToArray());
            var (mu, _) = _model.Encode(x, y);
            mu.data<float>().CopyTo(result.AsSpan(start * d, b * d));
        }
        return result;
    }

    private byte[] Decode(float[] latents, long[] modelLabels)
    {
        int n = modelLabels.Length, size = Channels * Height * Width, d = _model.LatentDimension;
        var pixels = new byte[n * size];
        using var noGrad = torch.no_grad();
        var values = new float[Math.Min(GenerationBatch, Math.Max(n, 1)) * size];
        for (int start = 0; start < n; start += GenerationBatch)
        {
            using var scope = torch.NewDisposeScope();
            int b = Math.Min(GenerationBatch, n - start);
            var z = torch.tensor(latents.AsSpan(start * d, b * d).ToArray(), [b, d]);
            var y = torch.tensor(modelLabels.AsSpan(start, b).ToArray());
            var mean = torch.sigmoid(_model.DecodeLogits(z, y));
            var span = values.AsSpan(0, b * size);
            mean.data<float>().CopyTo(span);
            ToBytes(span, pixels.AsSpan(start * size, b * size));
        }
        return pixels;
    }

    internal static float[] ToUnitFloats(ReadOnlySpan<byte> pixels)
    {
        var result = new float[pixels.Length];
        TensorPrimitives.ConvertChecked(pixels, result.AsSpan());
        TensorPrimitives.Multiply(result, 1f / 255f, result);
        return result;
    }

    private static void ToBytes(Span<float> unit, Span<byte> target)
    {
        TensorPrimitives.Multiply(unit, 255f, unit);
        TensorPrimitives.Max(unit, 0f, unit);
        TensorPrimitives.Min(unit, 255f, unit);
        TensorPrimitives.Round(unit, unit);
        TensorPrimitives.ConvertTruncating(unit, target);
    }
}
