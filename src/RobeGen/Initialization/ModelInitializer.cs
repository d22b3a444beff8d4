using RobeGen.Backends;

namespace RobeGen.Initialization;

/// <summary>
/// Builds a model's initial state from its layout, optimizer and seed, exactly as docs/model-math.md says. Both
/// backends start from this state, so the same seed gives bit-identical parameters on the CPU and on CUDA.
/// </summary>
internal static class ModelInitializer
{
    /// <summary>
    /// Draws every parameter tensor in ModelState order from one SplitMix64 stream seeded with
    /// <paramref name="seed"/>: MLP weights N(0, sqrt(2 / (fan_in + fan_out))), biases N(0, sqrt(1 / fan_out)),
    /// the ROBE array U(-b, b) with b = sqrt(1 / largest declared cardinality) (sqrt(1 / m) if none is declared),
    /// Full and Hashed rows of table t U(-b_t, b_t) with b_t = sqrt(1 / rows_t), both tables of a QuotientRemainder table
    /// U(sqrt(1 / (Q R)), 1) (as facebookresearch/dlrm's QREmbeddingBag draws them), or U(-c, c) with c = (Q R)^(-1/4)
    /// for <see cref="QuotientRemainderInit.ScaleMatched"/>. DcnV2 cross matrices (V, U or W) are Xavier normal like the MLP
    /// weights, their biases zero (TorchRec's LowRankCrossNet / CrossNet). Optimizer state starts at zero.
    /// </summary>
    public static ModelState Create(EmbeddingLayout layout, OptimizerKind optimizer, int seed)
    {
        var random = new SplitMix64(seed);
        var state = new ModelState();
        foreach (TensorSpec spec in ModelTensors.All(layout, optimizer))
        {
            var values = new float[spec.Length];
            if (!spec.Name.StartsWith(ModelTensors.AdagradPrefix, StringComparison.Ordinal))
                Fill(values, spec, layout, ref random);
            state.Add(spec.Name, values);
        }
        return state;
    }

    private static void Fill(float[] values, TensorSpec spec, EmbeddingLayout layout, ref SplitMix64 random)
    {
        switch (spec.Role)
        {
            case TensorRole.Weight:
                FillNormal(values, Math.Sqrt(2.0 / (spec.FanIn + spec.FanOut)), ref random);
                break;
            case TensorRole.Bias:
                FillNormal(values, Math.Sqrt(1.0 / spec.FanOut), ref random);
                break;
            case TensorRole.CrossBias:
                break; // zeros: TorchRec's CrossNet and LowRankCrossNet start every cross bias at 0

            case TensorRole.Embedding:
                FillEmbedding(values, layout, ref random);
                break;
        }
    }

    private static void FillNormal(float[] values, double std, ref SplitMix64 random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)(std * random.NextNormal());
    }

    private static void FillEmbedding(float[] values, EmbeddingLayout layout, ref SplitMix64 random)
    {
        // The flat array in order: the ROBE array [0, m), then each Full/Hashed table's rows (TableBase grows with t).
        long largest = layout.Declaration.Tables.Length == 0 ? 0 : layout.Declaration.Tables.Max(t => t.Cardinality);
        double robeBound = Math.Sqrt(1.0 / (largest > 0 ? largest : Math.Max(1, layout.RobeSlots)));
        FillUniform(values.AsSpan(0, (int)layout.RobeSlots), robeBound, ref random);
        for (int t = 0; t < layout.TableCount; t++)
        {
            if (layout.Storage[t] == EmbeddingStorage.Robe) continue;
            if (layout.Storage[t] == EmbeddingStorage.QuotientRemainder)
            {
                FillQuotientRemainder(values, layout, t, ref random);
                continue;
            }
            long rows = layout.Rows[t];
            FillUniform(values.AsSpan((int)layout.TableBase[t], checked((int)(rows * layout.Dim))), Math.Sqrt(1.0 / rows), ref random);
        }
    }

    /// <summary>
    /// Quotient rows then remainder rows of table t, n = Q * R the ids the table addresses. Reference: all U(sqrt(1 / n), 1)
    /// - facebookresearch/dlrm's QREmbeddingBag calls nn.init.uniform_(weight, sqrt(1 / num_categories)), whose second
    /// argument is PyTorch's lower bound (the upper stays 1), so every factor starts positive and the product at about
    /// 0.25. ScaleMatched: all U(-c, c), c = n^(-1/4), so |product| &lt;= sqrt(1 / n), a Full row's bound.
    /// </summary>
    private static void FillQuotientRemainder(float[] values, EmbeddingLayout layout, int t, ref SplitMix64 random)
    {
        long rows = layout.QuotientRows[t] + layout.Rows[t];
        double ids = (double)layout.QuotientRows[t] * layout.Rows[t];
        Span<float> span = values.AsSpan((int)layout.TableBase[t], checked((int)(rows * layout.Dim)));
        if (layout.QuotientRemainderInit == QuotientRemainderInit.ScaleMatched)
        {
            FillUniform(span, Math.Pow(ids, -0.25), ref random);
            return;
        }
        double low = Math.Sqrt(1.0 / ids);
        for (int i = 0; i < span.Length; i++) span[i] = (float)(low + (1 - low) * random.NextUniform());
    }

    private static void FillUniform(Span<float> values, double bound, ref SplitMix64 random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)random.NextUniform(bound);
    }
}
