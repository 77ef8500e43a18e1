using SelectBench.Common;

namespace SelectBench.Curation;

/// <summary>
/// Unit costs of curation, in US dollars (docs/curation.md; issue 3 item 4). The defaults are ILLUSTRATIVE
/// orders of magnitude from public price lists, not measurements; a config should set its own.
/// </summary>
/// <param name="ExpertLabel">Dollars per expert-verified label. Default 0.10: skilled annotators at roughly
/// $20-40/hour verifying a few hundred images per hour (an illustrative rate for curated labels such as ImageNet's).</param>
/// <param name="CrowdVote">Dollars per crowd vote. Default 0.012: the per-assignment price of a simple
/// Mechanical Turk image-classification task (about $0.01 reward plus the 20% platform fee).</param>
/// <param name="GeneratedImageGpuSeconds">GPU-seconds per generated image. Default 1.0: Stable Diffusion v1.5 at
/// 512 px with 20 UniPC steps on a data-centre GPU (the paper's SD1000 recipe) takes about a second.</param>
/// <param name="GpuSecondDollars">Dollars per GPU-second. Default 2/3600: about $2 per hour for a cloud A100.</param>
/// <param name="EmbeddingGpuSeconds">GPU-seconds to embed one image. Default 0.002: a CLIP ViT-B/32-sized
/// encoder at about 500 images/s.</param>
/// <param name="SearchQueryDollars">Dollars per nearest-neighbour query. Default 0.00001: an approximate index
/// answering about 1000 queries per CPU-second at roughly $0.04 per CPU-hour, rounded up.</param>
public sealed record CostModel(
    double ExpertLabel = 0.10,
    double CrowdVote = 0.012,
    double GeneratedImageGpuSeconds = 1.0,
    double GpuSecondDollars = 2.0 / 3600,
    double EmbeddingGpuSeconds = 0.002,
    double SearchQueryDollars = 0.00001)
{
    public static CostModel Default { get; } = new();

    /// <summary>Dollars to generate one image.</summary>
    public double GeneratedImage => GeneratedImageGpuSeconds * GpuSecondDollars;

    /// <summary>Dollars to embed one image.</summary>
    public double Embedding => EmbeddingGpuSeconds * GpuSecondDollars;

    public void Validate(string where)
    {
        SettingRules.NonNegative(where, "expert_label", ExpertLabel);
        SettingRules.NonNegative(where, "crowd_vote", CrowdVote);
        SettingRules.NonNegative(where, "generated_image_gpu_seconds", GeneratedImageGpuSeconds);
        SettingRules.NonNegative(where, "gpu_second_dollars", GpuSecondDollars);
        SettingRules.NonNegative(where, "embedding_gpu_seconds", EmbeddingGpuSeconds);
        SettingRules.NonNegative(where, "search_query_dollars", SearchQueryDollars);
    }
}
