namespace RobeGen;

/// <summary>How one table's embeddings are stored.</summary>
public enum EmbeddingStorage
{
    /// <summary>Blocks read at hashed offsets of the model's one shared ROBE array (the default).</summary>
    Robe = 0,
    /// <summary>One row of d floats per token; tokens must be vocabulary indices below the row count.</summary>
    Full = 1,
    /// <summary>The hashing trick: token mod rows selects one of a fixed number of d-float rows.</summary>
    Hashed = 2,
    /// <summary>
    /// Quotient-remainder compositional embedding (Shi et al. 2020): a quotient table of Q = ceil(n / R) rows and a
    /// remainder table of R rows (R = the declared Rows); the embedding of id x is Q[x div R] * Rm[x mod R], element-wise.
    /// Tokens beyond the Q * R ids the tables address are folded: x = token mod (Q * R).
    /// </summary>
    QuotientRemainder = 3,
}

/// <summary>What a categorical token is.</summary>
public enum TokenKind
{
    /// <summary>A 64-bit id as found in the data (for example Criteo's 32-bit hex hashes); no vocabulary needed.</summary>
    RawId = 0,
    /// <summary>An index into the column's vocabulary, 0 .. cardinality-1 (the ROBE authors' setup: xg = x + table offset).</summary>
    Vocabulary = 1,
}

/// <summary>The ROBE-Z addressing formula.</summary>
public enum RobeVariant
{
    /// <summary>The authors' formula, bit for bit: start = h mod (m - Z + 1), blocks never wrap, no sign.</summary>
    Authors = 0,
    /// <summary>start = h mod m and slot = (start + j mod Z) mod m: blocks wrap around the array's end.</summary>
    Circular = 1,
    /// <summary>The authors' addressing, each coordinate multiplied by a +/-1 sign from an independent hash of (xg, j).</summary>
    Signed = 2,
}

/// <summary>How a dense column's raw value becomes the model's input.</summary>
public enum DenseTransform
{
    /// <summary>The value as it is.</summary>
    None = 0,
    /// <summary>log(1 + max(x, 0)): counts and prices spanning orders of magnitude (what the Criteo layout uses).</summary>
    Log1p = 1,
    /// <summary>(x - mean) / standard deviation, both measured on the training data when training starts and saved in the checkpoint.</summary>
    Standardize = 2,
}

/// <summary>How the top MLP's input is formed from the bottom MLP output u and the embeddings E_1..E_T (docs/model-math.md).</summary>
public enum InteractionKind
{
    /// <summary>DLRM's dot interaction: [u, pairwise dots of u and the embeddings] (width d + (T+1)T/2).</summary>
    Dot = 0,
    /// <summary>The concatenation [u, E_1, .., E_T] (width d (T+1)).</summary>
    Cat = 1,
    /// <summary>
    /// DCNv2 cross layers on x0 = [u, E_1, .., E_T]: x_{l+1} = x0 * (U_l (V_l x_l) + b_l) + x_l, low rank (CrossRank &gt; 0)
    /// or full rank (x0 * (W_l x_l + b_l) + x_l); the top MLP reads x_L (width d (T+1)).
    /// </summary>
    DcnV2 = 2,
}

/// <summary>How a categorical cell with several ids (a multi-hot bag) becomes one embedding.</summary>
public enum Pooling
{
    /// <summary>Single-hot: the cell holds exactly one id (a missing value is the table's missing token).</summary>
    None = 0,
    /// <summary>Multi-hot: the embeddings of the cell's ids are added; an empty bag is the zero vector.</summary>
    Sum = 1,
    /// <summary>Multi-hot: the embeddings of the cell's ids are averaged; an empty bag is the zero vector.</summary>
    Mean = 2,
}
