namespace RobeGen.Cuda.Equivalence;

/// <summary>ROC AUC by ranks (tied scores share their mean rank), exact: the Mann-Whitney statistic.</summary>
internal static class ExactAuc
{
    public static double Compute(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels)
    {
        int n = scores.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(keys, order);
        double positiveRankSum = 0;
        long positives = 0;
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end < n && keys[end] == keys[start]) end++;
            double meanRank = (start + 1 + end) / 2.0; // ranks start+1 .. end
            for (int k = start; k < end; k++)
                if (labels[order[k]] > 0.5f) { positiveRankSum += meanRank; positives++; }
            start = end;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
