import Foundation
import LeptonPlot

/// Draws a matrix (attention weights, query × key) as a PNG: one square cell per entry on
/// inferno, rows top to bottom, scaled from 0 to the largest entry, with a colour bar below.
public enum MatrixHeatmap {
    /// The matrix `values` (`rows × columns`, row-major) as a canvas, cells about 480 / max(rows,
    /// columns) pixels wide (at least 4).
    /// - Throws: ``ExplainError`` when `values` does not hold `rows × columns` entries.
    public static func canvas(_ values: [Float], rows: Int, columns: Int) throws -> Canvas {
        guard rows > 0, columns > 0, values.count == rows * columns else {
            throw ExplainError("a matrix heatmap needs rows × columns values, got \(values.count) for \(rows)×\(columns)")
        }
        let cell = max(4, 480 / max(rows, columns)), gap = 12, bar = 10
        let largest = values.max() ?? 0, limit = largest > 0 ? largest : 1
        var canvas = try Canvas(width: columns * cell + 2 * gap, height: rows * cell + 3 * gap + bar)
        for r in 0..<rows {
            for c in 0..<columns {
                let t = Double(max(0, values[r * columns + c]) / limit)
                canvas.fill(x: gap + c * cell, y: gap + r * cell, width: cell, height: cell, Colormap.inferno.color(t))
            }
        }
        let width = columns * cell
        for x in 0..<width {
            canvas.fill(x: gap + x, y: rows * cell + 2 * gap, width: 1, height: bar,
                        Colormap.inferno.color(Double(x) / Double(max(1, width - 1))))
        }
        return canvas
    }
}
