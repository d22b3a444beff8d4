namespace RobeGen.Cpu.Layers;

/// <summary>Sigmoid + binary cross-entropy from logits, averaged over the batch (docs/model-math.md).</summary>
internal static class BinaryCrossEntropy
{
    /// <summary>
    /// Returns mean_b [max(s, 0) - s y + log(1 + exp(-|s|))] and writes dL/ds_b = (sigmoid(s_b) - y_b) / B.
    /// The sum runs in double, in row order.
    /// </summary>
    public static float LossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels, Span<float> gradLogits)
    {
        int batch = logits.Length;
        if (labels.Length < batch || gradLogits.Length < batch) throw new ArgumentException("Labels or gradient shorter than the logits.");
        Gradient(logits, labels, gradLogits, 1f / batch);
        return Loss(logits, labels);
    }

    /// <summary>mean_b [max(s, 0) - s y + log(1 + exp(-|s|))], summed in double in row order.</summary>
    public static float Loss(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels)
    {
        double sum = 0;
        for (int b = 0; b < logits.Length; b++)
        {
            double s = logits[b], y = labels[b];
            sum += Math.Max(s, 0) - s * y + Math.Log(1 + Math.Exp(-Math.Abs(s)));
        }
        return (float)(sum / logits.Length);
    }

    /// <summary>dL/ds_b = (sigmoid(s_b) - y_b) * <paramref name="scale"/> (1 / the whole batch's size): each row on its
    /// own, so parts of a batch can be done apart.</summary>
    public static void Gradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels, Span<float> gradLogits, float scale)
    {
        for (int b = 0; b < logits.Length; b++) gradLogits[b] = (Sigmoid(logits[b]) - labels[b]) * scale;
    }

    /// <summary>1 / (1 + e^-s), without overflow for large |s|.</summary>
    public static float Sigmoid(float s)
    {
        if (s >= 0) return 1f / (1f + MathF.Exp(-s));
        float e = MathF.Exp(s);
        return e / (1f + e);
    }
}
