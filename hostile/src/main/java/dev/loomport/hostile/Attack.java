package dev.loomport.hostile;

/** One attack of the suite: a name for the table and for {@code --only}, and how to run it in a lab. */
record Attack(String name, Body body) {
    interface Body {
        Row run(Lab lab) throws Exception;
    }

    Row run(Lab lab) throws Exception {
        return body.run(lab);
    }
}
