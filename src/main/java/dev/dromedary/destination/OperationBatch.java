package dev.dromedary.destination;

import java.util.List;

/** The changes of one export batch that share an operation: the body each branch of the router receives. */
public record OperationBatch(Operation operation, List<PlannedChange> changes) {
}
