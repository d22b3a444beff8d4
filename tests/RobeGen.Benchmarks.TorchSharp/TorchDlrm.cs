using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RobeGen.Benchmarks.TorchSharp;

/// <summary>
/// DLRM as Facebook's reference (dlrm_s_pytorch.py) builds it, with full embedding tables: bottom MLP with a ReLU
/// after every layer, one sparse-gradient nn.Embedding per table (a bag of one id, so EmbeddingBag would be the same
/// sum), dot interaction without self pairs (strict lower triangle of T T^T, as tril_indices(offset = -1)), top MLP
/// with ReLUs between layers and none after the logit.
/// </summary>
internal sealed class TorchDlrm : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential _bottom, _top;
    private readonly ModuleList<Embedding> _tables;
    private readonly Tensor _pairIndex;

    public TorchDlrm(int denseFeatures, int dim, int[] bottomMlp, int[] topMlp, long[] cardinalities) : base(nameof(TorchDlrm))
    {
        _bottom = Mlp(denseFeatures, bottomMlp, reluAfterLast: true);
        _tables = new ModuleList<Embedding>(cardinalities.Select(c => nn.Embedding(c, dim, sparse: true)).ToArray());
        int vectors = cardinalities.Length + 1;
        var pairs = new List<long>();
        for (int i = 1; i < vectors; i++)
            for (int j = 0; j < i; j++) pairs.Add(i * vectors + j);
        _pairIndex = tensor(pairs.ToArray());
        int topInput = dim + pairs.Count;
        _top = Mlp(topInput, [.. topMlp, 1], reluAfterLast: false);
        RegisterComponents();
    }

    private static Sequential Mlp(int inputs, int[] widths, bool reluAfterLast)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < widths.Length; i++)
        {
            layers.Add(nn.Linear(i == 0 ? inputs : widths[i - 1], widths[i]));
            if (reluAfterLast || i < widths.Length - 1) layers.Add(nn.ReLU());
        }
        return nn.Sequential(layers);
    }

    /// <summary>dense [B, 13], ids [B, 26] (int64) -&gt; logits [B].</summary>
    public override Tensor forward(Tensor dense, Tensor ids)
    {
        Tensor u = _bottom.forward(dense);
        var vectors = new List<Tensor> { u };
        for (int t = 0; t < _tables.Count; t++) vectors.Add(_tables[t].forward(ids[TensorIndex.Colon, TensorIndex.Single(t)]));
        Tensor v = stack(vectors, dim: 1);                       // [B, T + 1, d]
        Tensor gram = bmm(v, v.transpose(1, 2));                 // [B, T + 1, T + 1]
        Tensor z = gram.flatten(1).index_select(1, _pairIndex);  // [B, pairs]
        return _top.forward(cat([u, z], 1)).squeeze(1);
    }
}
