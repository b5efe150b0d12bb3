package dev.dromedary.group;

/** Rule operators of calculated groups. */
public enum GroupOp {
    EXISTS, NOT_EXISTS, EQ, NE, GT, GTE, LT, LTE, LIKE, NOT_LIKE, I_LIKE, NOT_I_LIKE, STARTS_WITH, ENDS_WITH,
    SUBSTRING, IN_THE_PAST, IN_THE_FUTURE
}
