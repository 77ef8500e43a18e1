using System.Globalization;
using SelectBench.Common;
using SelectBench.Data;
using SelectBench.Embedding;

namespace SelectBench.Curation;

/// <summary>
/// A web pool with its web labels: the input of the selection strategies (web-labels, label-cleaning, semdedup,
/// prototype-pruning, score-pruning, kcenter-coreset, embedding-consensus; docs/curation.md#selection-strategies).
/// Each of them filters or ranks the pool and then takes N/K images per web label (<see cref="TakePerClass"/>), so
/// they all compete at the same N, and all draw from the same seeded pool order (<see cref="Order"/>): a filter
/// that removes nothing gives exactly the web-labels baseline.
/// <para>
/// "given" web labels are the set's own labels (a pool imported with the classes its captions name). "simulated"
/// draws them from the hidden truth in provenance, because the FashionMNIST++ pool W has no labels at all
/// (docs/world.md): a real image keeps its true class with probability 1 - noise and otherwise gets one of the other
/// classes uniformly; a distractor (no class) gets a uniform class. The draw for an image depends only on the
/// curation seed and the image's id, so every strategy of a run sees the same web labels.
/// </para>
/// </summary>
public sealed class WebPool
{
    public const string Given = "given", Simulated = "simulated";

    /// <summary>The pool's name in the context.</summary>
    public string Name { get; }
    /// <summary>The pool set as the context holds it (its embeddings are cached under this object).</summary>
    public ImageSet Source { get; }
    /// <summary>The web label of every pool image.</summary>
    public int[] Labels { get; }
    /// <summary>How the web labels came about, for the shift's notes.</summary>
    public string LabelNote { get; }
    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    private WebPool(string name, ImageSet source, int[] labels, string labelNote, int classes)
    {
        Name = name;
        Source = source;
        Labels = labels;
        LabelNote = labelNote;
        Classes = classes;
    }

    public int Count => Source.Count;

    /// <summary>The checks every selection strategy makes on its pool settings.</summary>
    public static void Validate(string where, string pool, string webLabels, double noise)
    {
        SettingRules.NotEmpty(where, "pool", pool);
        SettingRules.OneOf(where, "web_labels", webLabels, Given, Simulated);
        SettingRules.InRange(where, "web_label_noise", noise, 0, 1);
    }

    public static WebPool Load(CurationContext context, string pool, string webLabels, double noise, string strategy)
    {
        var set = context.RequireSet(pool, $"{strategy} pool");
        if (set.Count == 0) throw new BadInputException(pool, $"the pool is empty; {strategy} needs images to select from.");
        int classes = context.Labels.Count;
        if (webLabels == Given)
            return new WebPool(pool, set, set.Labels.ToArray(), $"web labels: the labels of '{pool}'", classes);

        var labels = new int[set.Count];
        int flipped = 0;
        for (int i = 0; i < set.Count; i++)
        {
            int truth = ShiftAssembly.TrueLabelOf(set, i);
            if (truth == SampleProvenance.UnknownLabel)
                throw new BadInputException(pool, $"image '{set.Ids[i]}' has no hidden true label to simulate a web label from; " +
                                                  "use web_labels: given for a pool whose labels are its web labels.");
            var random = SeededRandom.For(context.Seed, $"web-label/{set.Ids[i]}");
            if (truth < 0) labels[i] = random.Next(classes);
            else if (classes > 1 && random.NextDouble() < noise)
            {
                int other = random.Next(classes - 1);
                labels[i] = other >= truth ? other + 1 : other;
                flipped++;
            }
            else labels[i] = truth;
        }
        return new WebPool(pool, set, labels, string.Create(CultureInfo.InvariantCulture,
            $"web labels SIMULATED from '{pool}''s hidden truth: noise {noise} ({flipped} real images relabelled), distractors labelled uniformly"), classes);
    }

    /// <summary>The pool's embeddings under the run's encoder, L2-normalised.</summary>
    public Embeddings Embeddings(CurationContext context) => context.Embed(Source).Normalised();

    /// <summary>The pool indices in one seeded order, the same for every selection strategy of a run.</summary>
    public int[] Order(CurationContext context)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        SeededRandom.Shuffle(context.RandomFor($"web-pool/{Name}/order"), order);
        return order;
    }

    /// <summary>The pool indices of <see cref="Order"/> that <paramref name="keep"/> allows.</summary>
    public int[] Order(CurationContext context, IReadOnlyList<bool> keep) => Order(context).Where(i => keep[i]).ToArray();

    /// <summary>Walking <paramref name="ranked"/> in order, up to <paramref name="perClass"/> images of each web label; ascending.</summary>
    public int[] TakePerClass(IEnumerable<int> ranked, int perClass)
    {
        var taken = new int[Classes];
        var picked = new List<int>();
        foreach (var i in ranked)
            if (taken[Labels[i]] < perClass) { taken[Labels[i]]++; picked.Add(i); }
        picked.Sort();
        return picked.ToArray();
    }

    /// <summary>
    /// The shift of the picked pool images with their web labels. Cost: web labels are free; a strategy that embeds
    /// the pool pays every pool image's embedding (each kept sample its own, the rest in the overhead) plus
    /// <paramref name="extraOverhead"/>.
    /// </summary>
    public Shift Assemble(string strategy, CurationContext context, IReadOnlyList<int> picked, bool embedded,
                          double extraOverhead, List<string> notes)
    {
        double perSample = embedded ? context.Costs.Embedding : 0;
        var provenance = new SampleProvenance[picked.Count];
        for (int k = 0; k < picked.Count; k++)
        {
            int i = picked[k];
            provenance[k] = new SampleProvenance(
                Source: $"pool:{Name}", SourceId: Source.Ids[i], TrueLabel: ShiftAssembly.TrueLabelOf(Source, i),
                Cost: perSample, Simulated: Source.Provenance?[i].Simulated ?? false, Note: "web label");
        }
        var images = Source.Select(picked).WithLabels(picked.Select(i => Labels[i]).ToArray());
        double overhead = (embedded ? (Count - picked.Count) * context.Costs.Embedding : 0) + extraOverhead;
        notes.Insert(0, LabelNote + ".");
        var warnings = new List<string>();
        var counts = images.ClassCounts();
        int perClass = context.PerClassTarget;
        for (int c = 0; c < counts.Length; c++)
            if (counts[c] < perClass)
                warnings.Add($"class '{context.Labels.Names[c]}' got {counts[c]} of {perClass} images (too few pool images with that web label survived {strategy}).");
        return ShiftAssembly.Create(strategy, context, images, provenance, overhead, notes, warnings);
    }
}
