using System.Globalization;
using SelectBench.Common;

namespace SelectBench.Curation.Strategies;

/// <param name="Pool">The web pool selected from.</param>
/// <param name="WebLabels">"simulated" (drawn from the pool's hidden truth) or "given" (the pool's own labels).</param>
/// <param name="WebLabelNoise">For simulated web labels: the share of real images given a wrong class.</param>
/// <param name="Score">"el2n" (Paul et al. 2021) or "forgetting" (Toneva et al. 2019).</param>
/// <param name="PruneFraction">Share of the pool with the lowest scores pruned before N/K per web label are taken.</param>
/// <param name="Epochs">Epochs of each scoring run.</param>
/// <param name="Runs">Independent initialisations of the scoring run.</param>
/// <param name="LearningRate">SGD step size of the scoring run.</param>
/// <param name="BatchSize">Minibatch size of the scoring run.</param>
/// <param name="CacheScores">Outside a benchmark run (`selectbench curate`): keep the scores in the cache (scores/ under
/// $SELECTBENCH_CACHE) so a rerun does not train again. In a run the scores are the output of the shift's score job.</param>
public sealed record ScorePruningSettings(string Pool = "pool", string WebLabels = WebPool.Simulated, double WebLabelNoise = 0.3,
                                          string Score = TrainingDynamicsScores.El2n, double PruneFraction = 0.3,
                                          int Epochs = 5, int Runs = 4, double LearningRate = 0.1, int BatchSize = 128,
                                          bool CacheScores = true) : ISettings
{
    public void Validate(string where)
    {
        WebPool.Validate(where, Pool, WebLabels, WebLabelNoise);
        SettingRules.OneOf(where, "score", Score, TrainingDynamicsScores.El2n, TrainingDynamicsScores.Forgetting);
        if (!(PruneFraction >= 0 && PruneFraction < 1))
            throw new SelectBenchException($"{where}.prune_fraction: {PruneFraction.ToString("R", CultureInfo.InvariantCulture)} is not allowed; give a number in [0, 1).");
        SettingRules.Positive(where, "epochs", Epochs);
        SettingRules.Positive(where, "runs", Runs);
        SettingRules.Positive(where, "learning_rate", LearningRate);
        SettingRules.Positive(where, "batch_size", BatchSize);
    }
}

/// <summary>
/// Data pruning by training dynamics: EL2N (Paul, Ganguli and Dziugaite 2021, NeurIPS) or forgetting events (Toneva
/// et al. 2019, ICLR) scored by a short training on the web pool with its web labels
/// (<see cref="TrainingDynamicsScores"/>: a softmax linear head on the fixed encoder's features, a few epochs, several
/// initialisations; cached by content). In a benchmark run the scoring run is a job of its own (score/&lt;shift&gt;,
/// <see cref="IScoringStrategy"/>), and the curate job reads its scores. The lowest-scoring share (the easiest, or never-forgotten, examples) is pruned
/// as the papers do, and N/K images per web label are taken from the rest in the run's pool order. With noisy labels
/// the high scorers it keeps include the mislabelled images (Paul et al. section 5 note that at high pruning rates the
/// very hardest examples hurt).
/// </summary>
[Registered("el2n-pruning", Settings = typeof(ScorePruningSettings),
    Description = "Paul et al. 2021 EL2N or Toneva et al. 2019 forgetting scores from a short linear-head training; prune the lowest-scoring share, then class-balanced to N")]
public sealed class ScorePruning(ScorePruningSettings settings) : IScoringStrategy
{
    public string Name => "el2n-pruning";

    public void Score(CurationContext context)
    {
        var folder = context.ScoreFolder ?? throw new SelectBenchException("el2n-pruning: the scoring step needs a score folder to write to.");
        var pool = WebPool.Load(context, settings.Pool, settings.WebLabels, settings.WebLabelNoise, Name);
        Compute(context, pool, context.Embed(pool.Source), new ScoringRun(settings.Epochs, settings.Runs, settings.LearningRate, settings.BatchSize),
            scoreFolder: folder);
    }

    public Shift Build(CurationContext context)
    {
        var pool = WebPool.Load(context, settings.Pool, settings.WebLabels, settings.WebLabelNoise, Name);
        var scores = Scores(context, pool);
        var order = pool.Order(context);
        var keep = Keep(scores, order, settings.PruneFraction);
        var picked = pool.TakePerClass(order.Where(i => keep[i]), context.PerClassTarget);
        return pool.Assemble(Name, context, picked, embedded: true, 0,
            [string.Create(CultureInfo.InvariantCulture,
                $"{settings.Score} scores from {settings.Runs} x {settings.Epochs}-epoch linear-head runs on the fixed features; pruned the lowest {settings.PruneFraction:P0} of {pool.Count} pool images; N/K per web label from the rest.")]);
    }

    /// <summary>
    /// The pool's scores. In a run's curate job (<see cref="CurationContext.ScoreFolder"/> set) they are read from the
    /// score job's output, never computed or written there; elsewhere they come from the score cache or are computed.
    /// </summary>
    private float[] Scores(CurationContext context, WebPool pool)
    {
        var run = new ScoringRun(settings.Epochs, settings.Runs, settings.LearningRate, settings.BatchSize);
        var features = context.Embed(pool.Source);
        if (context.ScoreFolder is { } given)
            return TrainingDynamicsScores.TryRead(given, settings.Score, features, pool.Labels, pool.Classes, run, context.Seed)
                ?? throw new BadInputException(given, $"holds no {settings.Score} scores for this pool, its labels and these settings; " +
                                                      "rerun the shift's score job (`selectbench run ... --force score`).");
        return Compute(context, pool, features, run, scoreFolder: null);
    }

    /// <summary>
    /// Runs the scoring (or reads it from the score cache when <see cref="ScorePruningSettings.CacheScores"/>); with a
    /// score folder, the scores are also kept there (a run's score job).
    /// </summary>
    private float[] Compute(CurationContext context, WebPool pool, Embedding.Embeddings features, ScoringRun run, string? scoreFolder)
    {
        context.Progress($"el2n-pruning: {settings.Score} scoring run", 0, 1);
        var cache = settings.CacheScores ? TrainingDynamicsScores.DefaultFolder : null;
        var (scores, fromCache) = TrainingDynamicsScores.Cached(scoreFolder ?? cache, settings.Score, features, pool.Labels, pool.Classes,
            run, context.Seed, shared: scoreFolder is null ? null : cache);
        // Whether the scores came from the cache goes to the progress line only: the shift's notes stay the same either way.
        context.Progress($"el2n-pruning: {settings.Score} scoring run{(fromCache ? " (read from the score cache)" : "")}", 1, 1);
        return scores;
    }

    /// <summary>
    /// Keeps all but the round(fraction x n) lowest scores; ties are pruned in <paramref name="order"/> (the run's
    /// seeded pool order), so equal scores (common for forgetting counts) are pruned at random.
    /// </summary>
    public static bool[] Keep(IReadOnlyList<float> scores, IReadOnlyList<int> order, double pruneFraction)
    {
        int n = scores.Count, prune = (int)Math.Round(pruneFraction * n, MidpointRounding.AwayFromZero);
        var position = new int[n];
        for (int p = 0; p < order.Count; p++) position[order[p]] = p;
        var keep = Enumerable.Repeat(true, n).ToArray();
        foreach (var i in Enumerable.Range(0, n).OrderBy(i => scores[i]).ThenBy(i => position[i]).Take(prune)) keep[i] = false;
        return keep;
    }
}
