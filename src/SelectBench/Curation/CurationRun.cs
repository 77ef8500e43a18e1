using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using SelectBench.Common;
using SelectBench.Curation.Generators;
using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Search;
using SelectBench.Worlds.FashionMnistPlus;
using SelectBench.Analysis;

namespace SelectBench.Curation;

/// <summary>One shift of a curation run, as built or read from the cache.</summary>
/// <param name="Folder">OUT/shifts/&lt;name&gt; (a <see cref="ShiftStore"/> folder).</param>
/// <param name="FromCache">True when the folder already held this shift for the same config section and world.</param>
/// <param name="Seconds">Wall time of the strategy and post-steps when the shift was built (kept in audit.json, so a cache hit reports the original build's time).</param>
/// <param name="Audit">Ground-truth audit (noise, distractors, duplicates under the run's encoder at cosine 0.98).</param>
/// <param name="Fingerprint">The shift's <see cref="Data.ContentFingerprint"/> (its images, ids, labels and label set), as in shift.json.</param>
public sealed record CuratedShift(string Name, string Folder, Shift Shift, bool FromCache, double Seconds, ShiftAuditResult Audit, string Fingerprint);

/// <summary>What audit.json beside a saved shift holds.</summary>
public sealed record ShiftAuditFile(string CacheKey, double BuildSeconds, ShiftAuditResult Audit);

/// <summary>
/// Curates the shifts of a <see cref="CurationConfig"/> over a FashionMNIST++ world into OUT/shifts/&lt;name&gt;/.
/// The named sets given to strategies: E (also "baseline"), G, pool (W with hidden labels and distractors),
/// test, h, hard, rendition; the crowd annotations "crowd"; the generator "cvae". The encoder (pixel PCA fitted
/// on the config's fit_on set) is saved in OUT/encoder and embeddings are cached in OUT/embeddings. Each shift is
/// cached: its folder carries a key over its config section, the run-wide settings and the world's content hash,
/// and a rerun with the same key only loads it.
/// </summary>
/// <summary>
/// What a curation run draws from: named image sets (expert reservoir, pools, eval sets for leakage), crowd
/// annotations and generators, and the world's content fingerprint, which keys the shift cache.
/// </summary>
public sealed record CurationSources(
    IReadOnlyDictionary<string, ImageSet> Sets,
    IReadOnlyDictionary<string, CrowdAnnotations> Crowds,
    IReadOnlyDictionary<string, IImageGenerator> Generators,
    string Fingerprint,
    string Description);

public static class CurationRun
{
    public const int FormatVersion = 1;
    private const string KeyFile = "cache-key.txt", AuditFile = "audit.json";
    public const double DuplicateThreshold = NearDuplicates.DefaultThreshold;

    /// <param name="cancellation">Checked before the encoder is fitted and before each shift: a cancelled run stops
    /// between shifts (every shift already built stays cached) with OperationCanceledException.</param>
    /// <param name="scoreFolder">Where scoring strategies find (or keep) their scores: the shift's score job output in a
    /// benchmark run (<see cref="Score"/>), null elsewhere.</param>
    public static IReadOnlyList<CuratedShift> Build(CurationSources sources, CurationConfig config, string outDir,
                                                     IReadOnlyList<string>? shifts = null, Action<string>? log = null,
                                                     CancellationToken cancellation = default, string? scoreFolder = null)
    {
        log ??= _ => { };
        var specs = config.Select(shifts);
        using var session = new Session(sources, config, outDir, log, scoreFolder, cancellation);
        var (encoder, context) = (session.Encoder, session.Context);

        var results = new List<CuratedShift>();
        foreach (var spec in specs)
        {
            cancellation.ThrowIfCancellationRequested();
            var folder = Path.Combine(outDir, "shifts", spec.Name);
            var key = CacheKey(config, spec.Name, sources.Fingerprint, encoder.Name);
            if (ShiftStore.Exists(folder) && File.Exists(Path.Combine(folder, KeyFile)) && File.ReadAllText(Path.Combine(folder, KeyFile)).Trim() == key)
            {
                var (cached, cachedFingerprint) = ShiftStore.LoadWithFingerprint(folder);
                var auditPath = Path.Combine(folder, AuditFile);
                var audit = File.Exists(auditPath) ? Json.Read<ShiftAuditFile>(auditPath) : null;
                if (audit == null || audit.CacheKey != key)
                {
                    audit = new ShiftAuditFile(key, 0, Audit(cached, context));
                    AtomicFile.WriteJson(auditPath, audit);
                }
                log($"{spec.Name}: cached ({cached.Images.Count:N0} images)");
                results.Add(new CuratedShift(spec.Name, folder, cached, true, audit.BuildSeconds, audit.Audit, cachedFingerprint));
                continue;
            }
            var clock = Stopwatch.StartNew();
            var shift = ShiftCurator.Build(spec, context);
            double seconds = Math.Round(clock.Elapsed.TotalSeconds, 2);
            // The old summary goes first, then the new key: a run killed in between leaves an incomplete folder, never a stale one under a new key.
            Directory.CreateDirectory(folder);
            File.Delete(Path.Combine(folder, "shift.json"));
            AtomicFile.WriteAllText(Path.Combine(folder, KeyFile), key + "\n");
            var fingerprint = ShiftStore.Save(shift, folder);
            var result = Audit(shift, context);
            AtomicFile.WriteJson(Path.Combine(folder, AuditFile), new ShiftAuditFile(key, seconds, result));
            log($"{spec.Name}: built in {seconds:F1} s ({shift.Images.Count:N0} images, noise {(double.IsNaN(result.NoiseRate) ? "n/a" : result.NoiseRate.ToString("P1"))}, cost ${shift.TotalCost:F2}, fingerprint {ContentFingerprint.Short(fingerprint)})");
            results.Add(new CuratedShift(spec.Name, folder, shift, false, seconds, result, fingerprint));
        }
        AtomicFile.WriteJson(Path.Combine(outDir, "curation.json"), new
        {
            World = sources.Description,
            WorldFingerprint = sources.Fingerprint,
            config.TargetSize,
            config.Seed,
            Encoder = encoder.Name,
            Shifts = results.Select(r => new
            {
                r.Name,
                r.Shift.Strategy,
                r.Fingerprint,
                Images = r.Shift.Images.Count,
                r.Shift.Report.ClassCounts,
                r.Shift.SampleCost,
                r.Shift.OverheadCost,
                r.Shift.TotalCost,
                r.Audit.NoiseRate,
                r.Audit.DistractorRate,
                r.Audit.Duplicates,
                BuildSeconds = r.Seconds,
                r.FromCache,
                r.Shift.Report.Removed,
                r.Shift.Report.Warnings,
            }),
        });
        return results;
    }

    /// <summary>
    /// The scoring step of one shift whose strategy is an <see cref="IScoringStrategy"/> (a benchmark run's
    /// score/&lt;shift&gt; job): the scores go to <paramref name="scoreFolder"/>, where <see cref="Build"/> given the same
    /// folder finds them. Returns false, and does nothing, when the shift's strategy has no scoring step.
    /// </summary>
    public static bool Score(CurationSources sources, CurationConfig config, string outDir, string shift, string scoreFolder,
                             Action<string>? log = null, CancellationToken cancellation = default)
    {
        var spec = config.Select([shift]).Single();
        if (ShiftStrategies.Registry.Create(spec.Strategy, spec.Settings, $"shifts.{spec.Name}.settings") is not IScoringStrategy strategy)
            return false;
        using var session = new Session(sources, config, outDir, log ?? (_ => { }), scoreFolder, cancellation);
        cancellation.ThrowIfCancellationRequested();
        strategy.Score(session.Context);
        return true;
    }

    /// <summary>True when the strategy registered as <paramref name="strategy"/> has a scoring step (<see cref="IScoringStrategy"/>).</summary>
    public static bool HasScoringStep(string strategy) =>
        ShiftStrategies.Registry.Contains(strategy) && typeof(IScoringStrategy).IsAssignableFrom(ShiftStrategies.Registry.Get(strategy).Implementation);

    /// <summary>The encoder (pixel PCA loaded or fitted, or a CLIP pair) and the context every shift of a run is curated in.</summary>
    private sealed class Session : IDisposable
    {
        private readonly ClipPair? _clip;

        public Session(CurationSources sources, CurationConfig config, string outDir, Action<string> log, string? scoreFolder,
                       CancellationToken cancellation)
        {
            Directory.CreateDirectory(outDir);
            var sets = sources.Sets;
            if (!sets.TryGetValue(config.Encoder.FitOn, out var fitSet))
                throw new BadInputException(config.Encoder.FitOn, $"encoder.fit_on names no world set; use one of {string.Join(", ", sets.Keys.Order())}.");

            cancellation.ThrowIfCancellationRequested();
            _clip = config.Encoder.Kind == "clip" ? new ClipPair(config.Encoder.Clip!, "curation.encoder.clip") : null;
            try
            {
                Encoder = _clip != null ? _clip.Image : LoadOrFitEncoder(config.Encoder, fitSet, Path.Combine(outDir, "encoder"), log);
                if (_clip != null) log($"encoder: CLIP image tower {_clip.Image.Name}; text queries use its text tower");
                var embeddingsFolder = Path.Combine(outDir, "embeddings");
                var encoder = Encoder;
                Context = new CurationContext(fitSet.LabelSet, config.TargetSize, config.Seed, sets,
                    set => EmbeddingCache.GetOrCompute(encoder, set, embeddingsFolder),
                    e => NearestNeighbourSearch.Create(e, config.Search.Options()),
                    config.Costs, sources.Crowds, sources.Generators, textEncoder: _clip?.Text)
                { ScoreFolder = scoreFolder };
            }
            catch
            {
                _clip?.Dispose();
                throw;
            }
        }

        public IImageEncoder Encoder { get; }
        public CurationContext Context { get; }

        public void Dispose() => _clip?.Dispose();
    }

    /// <summary>The cache key of one shift: its config section, the run-wide settings, the encoder and the world's content fingerprint.</summary>
    public static string CacheKey(CurationConfig config, string shift, string worldFingerprint, string encoderName)
    {
        var text = $"format {FormatVersion}\nworld {worldFingerprint}\nencoder {encoderName}\ncommon {config.CommonKey}\nshift {shift} {config.ShiftKeys[shift]}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static ShiftAuditResult Audit(Shift shift, CurationContext context) =>
        shift.Audit(shift.Images.Count > 0 ? context.Embed(shift.Images) : null, DuplicateThreshold);

    private static PixelPcaEncoder LoadOrFitEncoder(CurationEncoderSettings settings, ImageSet fitSet, string folder, Action<string> log)
    {
        // The method is part of the entry: a PCA fitted by an older, CPU-dependent fit is refitted, not reused.
        var entry = Path.Combine(folder, $"pixel-pca-{PixelPcaEncoder.ExactMethod}-k{settings.Components}-{settings.FitOn}-{ImageSetFingerprint.Of(fitSet)[..12]}");
        if (File.Exists(Path.Combine(entry, "pca.json"))) return PixelPcaEncoder.Load(entry);
        var clock = Stopwatch.StartNew();
        var encoder = PixelPcaEncoder.Fit(fitSet, settings.Components);
        encoder.Save(entry);
        log($"encoder: pixel PCA k={settings.Components} fitted on {settings.FitOn} ({(encoder.State.FittedOn < fitSet.Count ? $"a sample of {encoder.State.FittedOn:N0} of its " : "")}{fitSet.Count:N0} images) in {clock.Elapsed.TotalSeconds:F1} s");
        return encoder;
    }
}
