using ILGPU;
using RobeGen.Backends;
using RobeGen.Cuda;
using RobeGen.Data;

namespace RobeGen.Lab.Equivalence;

/// <summary>A CUDA training step that stops before its update to copy every activation and gradient out (equivalence checks only).</summary>
internal static class CudaStepTracer
{
    /// <summary>
    /// Runs one full FP32 training step like <see cref="CudaDlrmBackend.TrainStep"/>, but copies every layer's activations
    /// and gradients to the host before the update, with the names <see cref="ReferenceDlrm"/> uses. Slow (many small copies).
    /// </summary>
    public static StepTrace TraceTrainStep(CudaDlrmBackend model, Batch batch, float learningRate)
    {
        CudaDlrmBackend.StepPhases step = model.Phases;
        if (step.Precision != Precision.Fp32) throw new NotSupportedException("Traces compare FP32 steps with the float64 reference.");
        DeviceTensors t = step.Tensors;
        MlpPlan mlp = step.Mlp;
        var (topWidth, topStride) = step.TopInput;
        step.Upload(batch);
        int rows = batch.Count, d = model.Layout.Dim, tables = model.Layout.TableCount;
        step.Forward(rows);
        step.Loss(rows);
        ActivationBuffer gradTopInput = step.BackwardTop(rows);
        float[] gradTopInputValues = DownloadRows(step, gradTopInput.F32, rows, topWidth, topStride); // overwritten below
        step.InteractionBackward(rows, gradTopInput);
        step.BottomBackward(rows);
        step.EmbeddingGradient(rows);
        step.ReleaseUpload();

        var trace = new StepTrace();
        for (int i = 0; i < mlp.Bottom.Count; i++)
            trace.Add($"{mlp.Bottom[i].Name} output", DownloadRows(step, t.BottomOutputs[i].F32, rows, mlp.Bottom[i].FanOut, mlp.Bottom[i].OutputStride));
        trace.Add("gathered embeddings", step.Download(t.Embeddings.View.SubView(0, (long)rows * tables * d)));
        trace.Add("top MLP input", DownloadRows(step, t.TopInput.F32, rows, topWidth, topStride));
        for (int i = 0; i < t.TopOutputs.Length; i++)
            trace.Add($"{mlp.Top[i].Name} output", DownloadRows(step, t.TopOutputs[i].F32, rows, mlp.Top[i].FanOut, mlp.Top[i].OutputStride));
        trace.Add($"{mlp.Logit.Name} output", step.Download(t.Logits.View.SubView(0, rows)));
        trace.Add("logit gradient", step.Download(t.GradLogits.View.SubView(0, rows)));
        trace.Add("top MLP input gradient", gradTopInputValues);
        trace.Add("embedding output gradient", step.Download(t.GradEmbeddings.View.SubView(0, (long)rows * tables * d)));
        foreach (var layer in mlp.All)
        {
            trace.Add($"{layer.WeightName} gradient", step.Download(t.WeightGradient(layer)));
            trace.Add($"{layer.BiasName} gradient", step.Download(t.BiasGradient(layer)));
        }
        foreach (var cross in mlp.Cross)
        {
            trace.Add($"{cross.FirstName} gradient", step.Download(t.Gradient(cross.FirstOffset, cross.FirstLength)));
            if (cross.LowRank) trace.Add($"{cross.SecondName} gradient", step.Download(t.Gradient(cross.SecondOffset, cross.SecondLength)));
            trace.Add($"{cross.BiasName} gradient", step.Download(t.Gradient(cross.BiasOffset, cross.Width)));
        }
        trace.Add("embedding gradient", step.Download(t.EmbeddingGradients.View.SubView(0, model.Layout.TotalParameters)));
        trace.Loss = model.ReadLastLoss();

        step.Update(rows, learningRate);
        step.StepsQueued(1);
        step.Synchronize();
        return trace;
    }

    /// <summary>Rows [0, rows) of a [rows, stride] tensor, each cut to its first <paramref name="width"/> columns.</summary>
    private static float[] DownloadRows(CudaDlrmBackend.StepPhases step, ArrayView<float> view, int rows, int width, int stride)
    {
        float[] all = step.Download(view.SubView(0, (long)rows * stride));
        if (stride == width) return all;
        var values = new float[(long)rows * width];
        for (int r = 0; r < rows; r++) Array.Copy(all, (long)r * stride, values, (long)r * width, width);
        return values;
    }
}
