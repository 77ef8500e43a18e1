using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Common;
using SelectBench.Embedding;

namespace SelectBench.Curation.Strategies;

/// <param name="Queries">Labelled set whose images are the queries (the baseline in the paper).</param>
/// <param name="Pool">Set searched for neighbours; its labels are ignored (hidden truth stays in provenance).</param>
/// <param name="NeighboursPerQuery">Pool images each query takes.</param>
/// <param name="SimilarityFloor">Minimum cosine similarity for a neighbour to be taken; null = no floor.</param>
/// <param name="Exclusive">A pool image goes to at most one query; a query whose neighbour is taken moves to its next one.</param>
/// <param name="Dedup">Only when not exclusive: a pool image already taken is not taken again, and the query loses that slot.</param>
/// <param name="SearchOversample">First search asks for neighbours_per_query x this many neighbours; exhausted queries search again with k doubled.</param>
/// <param name="RefillQueries">When a class falls short (floor, exhaustion), spend further query images of that class.</param>
public sealed record EmbeddingSearchSettings(
    string Queries = "baseline",
    string Pool = "pool",
    int NeighboursPerQuery = 1,
    double? SimilarityFloor = null,
    bool Exclusive = true,
    bool Dedup = true,
    int SearchOversample = 4,
    bool RefillQueries = true) : ISettings
{
    public void Validate(string where)
    {
        SettingRules.NotEmpty(where, "queries", Queries);
        SettingRules.NotEmpty(where, "pool", Pool);
        SettingRules.Positive(where, "neighbours_per_query", NeighboursPerQuery);
        if (SimilarityFloor is { } f) SettingRules.InRange(where, "similarity_floor", f, -1, 1);
        SettingRules.Positive(where, "search_oversample", SearchOversample);
    }
}

/// <summary>
/// The LA1000 (img2img) analogue: each query image of a labelled set takes its nearest unused pool
/// image(s) by encoder cosine similarity, labelled with the query's label. Queries are drawn
/// class-balanced (ceil(N/K / neighbours) per class) and served round-robin over classes, so no class
/// wins contested pool images by going first. The paper does not state k, threshold or dedup rules
/// (reference/select-paper-facts.md); these are settings here.
/// </summary>
[Registered("embedding-search", Settings = typeof(EmbeddingSearchSettings),
    Description = "LA1000 img2img analogue: each labelled query takes its nearest unused pool images by encoder cosine")]
public sealed class EmbeddingSearch(EmbeddingSearchSettings settings) : IShiftStrategy
{
    public string Name => "embedding-search";
    public EmbeddingSearchSettings Settings { get; } = settings;

    private sealed class Query(int index, int label, int slots, int k)
    {
        public int Index { get; } = index;
        public int Label { get; } = label;
        public int Slots { get; set; } = slots;
        public int K { get; set; } = k;
        public int Searches { get; set; }
        public int Taken { get; set; }
    }

    private readonly record struct Pick(int PoolIndex, Query Query, float Similarity);

    public Shift Build(CurationContext context)
    {
        var s = Settings;
        var querySet = context.RequireSet(s.Queries, "embedding-search queries");
        var pool = context.RequireSet(s.Pool, "embedding-search pool");
        if (pool.Count == 0) throw new Common.BadInputException(s.Pool, "the pool is empty.");
        int classes = context.Labels.Count;
        int perClass = context.PerClassTarget;

        context.Progress("embedding-search: embed", 0, 2);
        var poolEmb = context.Embed(pool).Normalised();
        var queryEmb = context.Embed(querySet).Normalised();
        context.Progress("embedding-search: embed", 2, 2);
        using var search = context.SearchFactory(poolEmb);

        var queriesByClass = ClassBalanced.ShuffledByClass(querySet.Labels, classes, context.RandomFor("embedding-search/queries"));
        int queriesPerClass = (perClass + s.NeighboursPerQuery - 1) / s.NeighboursPerQuery;
        var nextQuery = new int[classes];
        var taken = new int[classes];
        var used = new bool[pool.Count];
        var picks = new List<Pick>();
        var allQueries = new List<Query>();
        var pending = new List<Query>();
        int floorStops = 0, lostToDedup = 0, reSearches = 0;

        while (true)
        {
            // Open queries for classes whose open slots do not cover what they still need.
            for (int c = 0; c < classes; c++)
            {
                int open = pending.Where(q => q.Label == c).Sum(q => q.Slots);
                while (taken[c] + open < perClass && nextQuery[c] < queriesByClass[c].Count
                       && (s.RefillQueries || nextQuery[c] < queriesPerClass))
                {
                    int slots = Math.Min(s.NeighboursPerQuery, perClass - taken[c] - open);
                    var q = new Query(queriesByClass[c][nextQuery[c]++], c, slots,
                                      Math.Min(pool.Count, s.NeighboursPerQuery * s.SearchOversample));
                    pending.Add(q);
                    allQueries.Add(q);
                    open += slots;
                }
            }
            if (pending.Count == 0) break;

            var order = RoundRobinByClass(pending, classes);
            var results = SearchAll(search, queryEmb, order);
            var again = new List<Query>();
            foreach (var q in order)
            {
                var (idx, sim) = results[q];
                q.Searches++;
                bool stopped = false;
                for (int n = 0; n < idx.Length && q.Slots > 0; n++)
                {
                    if (taken[q.Label] >= perClass) { q.Slots = 0; break; }
                    if (s.SimilarityFloor is { } floor && sim[n] < (float)floor) { stopped = true; floorStops++; break; }
                    int p = idx[n];
                    if (p < 0) break;
                    if (used[p])
                    {
                        if (s.Exclusive) continue;
                        if (s.Dedup) { q.Slots--; lostToDedup++; continue; }
                    }
                    used[p] = true;
                    picks.Add(new Pick(p, q, sim[n]));
                    taken[q.Label]++;
                    q.Taken++;
                    q.Slots--;
                }
                // Every neighbour we saw was taken by earlier queries: look further, unless the pool is exhausted.
                if (q.Slots > 0 && !stopped && s.Exclusive && q.K < pool.Count)
                {
                    q.K = Math.Min(pool.Count, q.K * 2);
                    reSearches++;
                    again.Add(q);
                }
                else q.Slots = 0;
            }
            pending = again;
            context.Progress("embedding-search: select", picks.Count, perClass * classes);
        }

        return Assemble(context, querySet, pool, picks, allQueries, perClass, floorStops, lostToDedup, reSearches);
    }

    private static List<Query> RoundRobinByClass(List<Query> pending, int classes)
    {
        var byClass = Enumerable.Range(0, classes).Select(c => new Queue<Query>(pending.Where(q => q.Label == c))).ToArray();
        var order = new List<Query>(pending.Count);
        while (order.Count < pending.Count)
            foreach (var queue in byClass)
                if (queue.Count > 0) order.Add(queue.Dequeue());
        return order;
    }

    private static Dictionary<Query, (int[] Indices, float[] Similarities)> SearchAll(
        Search.INearestNeighbourSearch search, Embeddings queryEmb, List<Query> queries)
    {
        var results = new Dictionary<Query, (int[], float[])>();
        foreach (var group in queries.GroupBy(q => q.K))
        {
            var batch = group.ToList();
            var rows = queryEmb.Rows(batch.Select(q => q.Index).ToList());
            var nn = search.Search(rows.Data, batch.Count, group.Key);
            for (int b = 0; b < batch.Count; b++)
                results[batch[b]] = (nn.IndicesOf(b).ToArray(), nn.SimilaritiesOf(b).ToArray());
        }
        return results;
    }

    private Shift Assemble(CurationContext context, ImageSet querySet, ImageSet pool, List<Pick> picks,
                           List<Query> queries, int perClass, int floorStops, int lostToDedup, int reSearches)
    {
        var costs = context.Costs;
        var images = pool.Select(picks.Select(p => p.PoolIndex).ToList()).WithLabels(picks.Select(p => p.Query.Label).ToArray());
        var provenance = new SampleProvenance[picks.Count];
        for (int k = 0; k < picks.Count; k++)
        {
            var pick = picks[k];
            var q = pick.Query;
            // A sample pays for its own embedding and its share of its query's embedding and searches.
            double queryCost = costs.Embedding + q.Searches * costs.SearchQueryDollars;
            provenance[k] = new SampleProvenance(
                Source: $"pool:{Settings.Pool}", SourceId: pool.Ids[pick.PoolIndex],
                QueryId: querySet.Ids[q.Index], Similarity: pick.Similarity,
                TrueLabel: ShiftAssembly.TrueLabelOf(pool, pick.PoolIndex),
                Cost: costs.Embedding + queryCost / q.Taken);
        }
        int distinctPicked = picks.Select(p => p.PoolIndex).Distinct().Count();
        double unusedQueries = queries.Where(q => q.Taken == 0).Sum(q => costs.Embedding + q.Searches * costs.SearchQueryDollars);
        double overhead = (pool.Count - distinctPicked) * costs.Embedding + unusedQueries;

        var notes = new List<string>
        {
            $"{queries.Count} queries from '{Settings.Queries}' searched '{Settings.Pool}' ({pool.Count} images); " +
            $"{Settings.NeighboursPerQuery} neighbour(s) per query, exclusive={Settings.Exclusive}, floor={Settings.SimilarityFloor?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}.",
            $"{reSearches} re-searches with larger k; {floorStops} queries stopped at the similarity floor; {lostToDedup} slots lost to dedup.",
        };
        var warnings = new List<string>();
        var counts = images.ClassCounts();
        for (int c = 0; c < counts.Length; c++)
            if (counts[c] < perClass)
                warnings.Add($"class '{context.Labels.Names[c]}' got {counts[c]} of {perClass} images (queries or pool exhausted, or the floor).");
        return ShiftAssembly.Create(Name, context, images, provenance, overhead, notes, warnings);
    }
}
