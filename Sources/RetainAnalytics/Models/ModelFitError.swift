import Foundation

/// Why a purchase or spend model could not be fitted to the data given. Each case says, for a person, what was
/// wrong and what would help; the models throw it instead of crashing or returning NaN parameters.
public enum ModelFitError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The per-customer columns do not have the same length.
    case mismatchedLengths(frequency: Int, recency: Int, age: Int)
    /// Fewer customers than the model needs to estimate its parameters.
    case tooFewCustomers(model: String, count: Int, minimum: Int)
    /// A value is NaN, infinite, negative or otherwise impossible; `customer` is its 0-based row.
    case invalidValue(column: String, customer: Int, value: Double, reason: String)
    /// No customer bought more than once, so nothing tells how often people come back.
    case noRepeatPurchases(customers: Int)
    /// Every customer has the same history, so differences between customers cannot be estimated.
    case identicalHistories(model: String, customers: Int)
    /// The optimiser stopped before the likelihood reached its maximum.
    case didNotConverge(model: String, iterations: Int, gradient: Double)
    /// The maximum lies at the edge of what the model can describe (a parameter runs off to 0 or infinity).
    case degenerateEstimate(model: String, parameter: String, value: Double)
    /// The likelihood is flat in some direction at its highest point, so the data does not pin the parameters down.
    case noProperMaximum(model: String)
    /// BG/NBD's drop-out shapes both ran off to infinity: every customer gets the same drop-out probability, a limit
    /// in which the model's predictions are not reliable.
    case sameDropoutForEveryone(a: Double, b: Double)

    /// A sentence for the person who asked for the fit.
    public var description: String {
        switch self {
        case .mismatchedLengths(let frequency, let recency, let age):
            return "The customer columns differ in length (frequency \(frequency), recency \(recency), age \(age)); "
                + "give one value per customer in each."
        case .tooFewCustomers(let model, let count, let minimum):
            return "\(model) needs at least \(minimum) customers to be fitted, but the data has \(count)."
        case .invalidValue(let column, let customer, let value, let reason):
            return "Customer row \(customer + 1) has \(column) = \(value): \(reason)."
        case .noRepeatPurchases(let customers):
            return "None of the \(customers) customers bought again after their first purchase, so the purchase "
                + "model has nothing to learn from; use a longer period or wait for repeat purchases."
        case .identicalHistories(let model, let customers):
            return "All \(customers) customers have the same history, so \(model) cannot tell them apart; "
                + "it needs customers who differ in how often or how much they buy."
        case .didNotConverge(let model, let iterations, let gradient):
            return "\(model) did not converge after \(iterations) iterations (largest gradient \(gradient)); "
                + "the data may be too small or too unusual for this model."
        case .degenerateEstimate(let model, let parameter, let value):
            return "\(model) ran to the edge of its parameters (\(parameter) = \(value)); the data does not "
                + "support this model, often because there are too few repeat purchases."
        case .sameDropoutForEveryone(let a, let b):
            let share = Int((100 * a / (a + b)).rounded())
            return "BG/NBD found no difference between customers in how likely they are to stop buying (a = \(a), "
                + "b = \(b): about \(share)% after every purchase for everyone), a limit in which its predictions are "
                + "not reliable; more customers or a longer period usually help."
        case .noProperMaximum(let model):
            return "\(model) found no proper maximum of the likelihood (it is flat in some direction), so this data "
                + "does not determine the parameters; more customers or a longer period usually help."
        }
    }

    /// The same sentence as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}
