using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Analysis;
using SelectBench.Embedding;

namespace SelectBench.Tests.Curation;

public class ShiftAuditTests
{
    [Fact]
    public void NoiseDistractorAndDuplicateRatesMatchHandCounts()
    {
        // Labels:  0  0  0  1  1  1
        // Truth:   0  1 -2  1 -1  0   (-1 unknown: not audited; -2 distractor: noise)
        int[] labels = [0, 0, 0, 1, 1, 1];
        int[] truth = [0, 1, SampleProvenance.NotAClass, 1, SampleProvenance.UnknownLabel, 0];
        var prov = truth.Select((t, i) => new SampleProvenance("s", $"{i}", TrueLabel: t)).ToArray();
        // Rows 0 and 3 coincide; row 5 is a scaled copy of row 1 (cosine 1).
        var emb = new Embeddings([1, 0, 0, 1, 1, 1, 1, 0, -1, 0, 0, 2], 6, 2);
        var audit = ShiftAudit.Compute(labels, prov, 2, emb, 0.99);
        Assert.Equal(5, audit.Audited);
        Assert.Equal(3 / 5.0, audit.NoiseRate, 12);       // samples 1, 2, 5
        Assert.Equal(2 / 3.0, audit.PerClassNoiseRate[0], 12);
        Assert.Equal(1 / 2.0, audit.PerClassNoiseRate[1], 12);
        Assert.Equal(1 / 5.0, audit.DistractorRate, 12);
        Assert.Equal(2, audit.Duplicates);
    }

    [Fact]
    public void WithoutGroundTruthRatesAreUndefined()
    {
        var prov = new[] { new SampleProvenance("s", "0") };
        var audit = ShiftAudit.Compute([0], prov, 2);
        Assert.Equal(0, audit.Audited);
        Assert.True(double.IsNaN(audit.NoiseRate));
        Assert.True(double.IsNaN(audit.PerClassNoiseRate[1]));
    }
}
