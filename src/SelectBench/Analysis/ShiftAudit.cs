using SelectBench.Data;
using SelectBench.Encoders;
using SelectBench.Embedding;

namespace SelectBench.Analysis;

/// <summary>
/// Ground-truth audit of a shift (issue 3 item 6).
/// </summary>
/// <param name="Audited">Samples whose hidden true label is known (TrueLabel != -1); the rates are over these.</param>
/// <param name="NoiseRate">Share of audited samples whose label differs from the truth; distractors (TrueLabel -2) count as noise.</param>
/// <param name="PerClassNoiseRate">Noise rate among audited samples carrying each label (NaN where a class has none).</param>
/// <param name="DistractorRate">Share of audited samples that are distractors (not any class of the label set).</param>
/// <param name="Duplicates">Samples whose cosine to an earlier sample is at least the threshold (0 when no embeddings were given).</param>
public sealed record ShiftAuditResult(
    int Samples, int Audited, double NoiseRate, double[] PerClassNoiseRate, double DistractorRate, int Duplicates, double DuplicateThreshold);

public static class ShiftAudit
{
    /// <summary>
    /// Audits labels against hidden truth and, given embeddings of the shift's images, counts near-duplicates
    /// (greedy keep-first, as NearDuplicates.Find).
    /// </summary>
    public static ShiftAuditResult Compute(IReadOnlyList<int> labels, IReadOnlyList<SampleProvenance> provenance, int classCount,
                                           Embeddings? embeddings = null, double duplicateThreshold = NearDuplicates.DefaultThreshold)
    {
        if (labels.Count != provenance.Count) throw new ArgumentException($"{labels.Count} labels but {provenance.Count} provenance records");
        int audited = 0, noisy = 0, distractors = 0;
        var perClassAudited = new int[classCount];
        var perClassNoisy = new int[classCount];
        for (int i = 0; i < labels.Count; i++)
        {
            int truth = provenance[i].TrueLabel;
            if (truth == SampleProvenance.UnknownLabel) continue;
            audited++;
            perClassAudited[labels[i]]++;
            if (truth == SampleProvenance.NotAClass) distractors++;
            if (truth != labels[i]) { noisy++; perClassNoisy[labels[i]]++; }
        }
        var perClass = Enumerable.Range(0, classCount)
            .Select(c => perClassAudited[c] == 0 ? double.NaN : (double)perClassNoisy[c] / perClassAudited[c]).ToArray();
        // One definition of a near-duplicate for the audit and the label-quality metric (NearDuplicates.Find).
        int duplicates = embeddings == null ? 0 : NearDuplicates.Find(embeddings, duplicateThreshold).Dropped.Length;
        return new ShiftAuditResult(labels.Count, audited,
            audited == 0 ? double.NaN : (double)noisy / audited, perClass,
            audited == 0 ? double.NaN : (double)distractors / audited, duplicates, duplicateThreshold);
    }
}
