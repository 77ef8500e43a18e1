using SelectBench.Embedding;

namespace SelectBench.Encoders.Text;

/// <summary>
/// A text tower whose embeddings share a space with an image encoder (CLIP-style), so a class prompt can
/// query an image pool. Only meaningful when the run's image encoder is the matching image tower.
/// </summary>
public interface ITextEncoder
{
    string Name { get; }
    int Dimension { get; }
    Embeddings Encode(IReadOnlyList<string> texts);
}
