using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SelectBench.Common;
using SelectBench.Encoders;
using SelectBench.Embedding;

namespace SelectBench.Curation.Text;

/// <param name="InputIdsName">Name of the token-id input (int64 [batch, context]).</param>
/// <param name="AttentionMaskName">Name of the attention-mask input, or null when the model has none.</param>
/// <param name="OutputName">Name of the output: a pooled [batch, dim] embedding (e.g. Hugging Face's
/// "text_embeds"), or a [batch, context, dim] sequence from which the end-of-text position is taken.</param>
/// <param name="ContextLength">Tokens per text, CLIP uses 77.</param>
public sealed record ClipTextOptions(
    string InputIdsName = "input_ids",
    string? AttentionMaskName = "attention_mask",
    string OutputName = "text_embeds",
    int ContextLength = 77);

/// <summary>
/// A CLIP-style text tower exported to ONNX, tokenised by <see cref="ClipTokenizer"/>. No CLIP model ships
/// with SelectBench or can be downloaded at run time: the user supplies the model, vocab.json and merges.txt.
/// </summary>
public sealed class OnnxClipTextEncoder : ITextEncoder, IDisposable
{
    private readonly InferenceSession _session;
    private readonly ClipTokenizer _tokenizer;
    private readonly ClipTextOptions _options;

    public string Name { get; }
    public int Dimension { get; }

    public OnnxClipTextEncoder(string modelPath, string vocabPath, string mergesPath, ClipTextOptions? options = null)
    {
        _options = options ?? new ClipTextOptions();
        if (!File.Exists(modelPath))
            throw new BadInputException(modelPath, "the ONNX text model does not exist. Export a CLIP text tower to ONNX and give its path.");
        _tokenizer = new ClipTokenizer(vocabPath, mergesPath, _options.ContextLength);
        try
        {
            _session = new InferenceSession(modelPath);
        }
        catch (OnnxRuntimeException e)
        {
            throw new BadInputException(modelPath, $"ONNX Runtime cannot load the text model ({e.Message}).", e);
        }
        if (!_session.InputMetadata.ContainsKey(_options.InputIdsName))
            throw new BadInputException(modelPath, $"the model has no input '{_options.InputIdsName}'; its inputs are {string.Join(", ", _session.InputMetadata.Keys)}. Set input_ids_name.");
        if (!_session.OutputMetadata.TryGetValue(_options.OutputName, out var output))
            throw new BadInputException(modelPath, $"the model has no output '{_options.OutputName}'; its outputs are {string.Join(", ", _session.OutputMetadata.Keys)}. Set output_name.");
        Dimension = output.Dimensions[^1];
        if (Dimension <= 0) throw new BadInputException(modelPath, $"output '{_options.OutputName}' has no fixed embedding dimension.");
        Name = $"onnx-clip-text:{Path.GetFileName(modelPath)}";
    }

    public Embeddings Encode(IReadOnlyList<string> texts)
    {
        int t = _options.ContextLength;
        var ids = new long[texts.Count * t];
        var mask = new long[texts.Count * t];
        var ends = new int[texts.Count];
        for (int b = 0; b < texts.Count; b++)
        {
            var (row, end) = _tokenizer.Tokenize(texts[b]);
            row.CopyTo(ids, b * t);
            for (int i = 0; i <= end; i++) mask[b * t + i] = 1;
            ends[b] = end;
        }
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor(_options.InputIdsName, new DenseTensor<long>(ids, [texts.Count, t])),
        };
        if (_options.AttentionMaskName is { } maskName && _session.InputMetadata.ContainsKey(maskName))
            inputs.Add(NamedOnnxValue.CreateFromTensor(maskName, new DenseTensor<long>(mask, [texts.Count, t])));
        using var results = _session.Run(inputs, [_options.OutputName]);
        var tensor = results.First().AsTensor<float>();
        var data = new float[texts.Count * Dimension];
        if (tensor.Rank == 2)
        {
            for (int b = 0; b < texts.Count; b++)
                for (int d = 0; d < Dimension; d++) data[b * Dimension + d] = tensor[b, d];
        }
        else if (tensor.Rank == 3)
        {
            // Sequence output: CLIP pools the hidden state at the end-of-text token.
            for (int b = 0; b < texts.Count; b++)
                for (int d = 0; d < Dimension; d++) data[b * Dimension + d] = tensor[b, ends[b], d];
        }
        else throw new SelectBenchException($"{Name}: output '{_options.OutputName}' has rank {tensor.Rank}; expected [batch, dim] or [batch, tokens, dim].");
        return new Embeddings(data, texts.Count, Dimension);
    }

    public void Dispose() => _session.Dispose();
}
