using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SelectBench.Common;
using SelectBench.Embedding;

namespace SelectBench.Encoders.Text;

/// <param name="InputIdsName">Name of the token-id input (int64 [batch, context]).</param>
/// <param name="AttentionMaskName">Name of the attention-mask input, or null when the model has none.</param>
/// <param name="OutputName">Name of the output: a pooled [batch, dim] embedding (e.g. Hugging Face's
/// "text_embeds"), or a [batch, context, dim] sequence from which the end-of-text position is taken.</param>
/// <param name="ContextLength">Tokens per text, CLIP uses 77.</param>
/// <param name="IntraOpThreads">ONNX Runtime's threads per call (0: its default, every core).</param>
/// <param name="BatchSize">Texts per model call.</param>
public sealed record ClipTextOptions(
    string InputIdsName = "input_ids",
    string? AttentionMaskName = "attention_mask",
    string OutputName = "text_embeds",
    int ContextLength = 77,
    int IntraOpThreads = 1,
    int BatchSize = 64);

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
        if (_options.BatchSize <= 0 || _options.IntraOpThreads < 0)
            throw new SelectBenchException($"CLIP text options {_options}: batch_size must be positive and intra_op_threads non-negative.");
        _tokenizer = new ClipTokenizer(vocabPath, mergesPath, _options.ContextLength);
        try
        {
            using var sessionOptions = new SessionOptions { IntraOpNumThreads = _options.IntraOpThreads, InterOpNumThreads = 1 };
            _session = new InferenceSession(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new BadInputException(modelPath, $"ONNX Runtime cannot load the text model ({e.Message}).", e);
        }
        if (!_session.InputMetadata.ContainsKey(_options.InputIdsName))
            throw new BadInputException(modelPath, $"the model has no input '{_options.InputIdsName}'; its inputs are {string.Join(", ", _session.InputMetadata.Keys)}. Set input_ids_name.");
        if (!_session.OutputMetadata.TryGetValue(_options.OutputName, out var output))
            throw new BadInputException(modelPath, $"the model has no output '{_options.OutputName}'; its outputs are {string.Join(", ", _session.OutputMetadata.Keys)}. Set text_output_name.");
        Dimension = output.Dimensions[^1];
        if (Dimension <= 0) throw new BadInputException(modelPath, $"output '{_options.OutputName}' has no fixed embedding dimension.");
        Name = $"onnx-clip-text:{Path.GetFileName(modelPath)}";
    }

    public Embeddings Encode(IReadOnlyList<string> texts)
    {
        var data = new float[texts.Count * Dimension];
        for (int start = 0; start < texts.Count; start += _options.BatchSize)
        {
            int m = Math.Min(_options.BatchSize, texts.Count - start);
            EncodeBatch(texts, start, m, data.AsSpan(start * Dimension, m * Dimension));
        }
        return new Embeddings(data, texts.Count, Dimension);
    }

    private void EncodeBatch(IReadOnlyList<string> texts, int start, int m, Span<float> output)
    {
        int t = _options.ContextLength;
        var ids = new long[m * t];
        var mask = new long[m * t];
        var ends = new int[m];
        for (int b = 0; b < m; b++)
        {
            var (row, end) = _tokenizer.Tokenize(texts[start + b]);
            row.CopyTo(ids, b * t);
            for (int i = 0; i <= end; i++) mask[b * t + i] = 1;
            ends[b] = end;
        }
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor(_options.InputIdsName, new DenseTensor<long>(ids, [m, t])),
        };
        if (_options.AttentionMaskName is { } maskName && _session.InputMetadata.ContainsKey(maskName))
            inputs.Add(NamedOnnxValue.CreateFromTensor(maskName, new DenseTensor<long>(mask, [m, t])));
        using var results = _session.Run(inputs, [_options.OutputName]);
        var tensor = results.First().AsTensor<float>();
        if (tensor.Rank == 2)
        {
            for (int b = 0; b < m; b++)
                for (int d = 0; d < Dimension; d++) output[b * Dimension + d] = tensor[b, d];
        }
        else if (tensor.Rank == 3)
        {
            // Sequence output: CLIP pools the hidden state at the end-of-text token.
            for (int b = 0; b < m; b++)
                for (int d = 0; d < Dimension; d++) output[b * Dimension + d] = tensor[b, ends[b], d];
        }
        else throw new SelectBenchException($"{Name}: output '{_options.OutputName}' has rank {tensor.Rank}; expected [batch, dim] or [batch, tokens, dim].");
    }

    public void Dispose() => _session.Dispose();
}
